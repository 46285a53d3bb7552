package io.sluice.schema;

import java.time.Instant;
import org.apache.avro.Schema;

/**
 * DeliveryEvent.avsc. Version 2 appended the optional {@code content} to the message summary;
 * version 1 records have no such field, and {@link AvroCodec} writes version 1 whenever it is null.
 */
final class DeliveryEventFormat implements RecordFormat<DeliveryEvent> {
  private static final Schema V1 = Schemas.VERSIONS.getFirst().deliveryEvent();
  private static final EnumSymbols<EventType> TYPE = new EnumSymbols<>(EventType.class,
      Schemas.DELIVERY_EVENT.getField("type").schema());

  @Override
  public int sizeHint(DeliveryEvent e) {
    MessageSummary s = e.message();
    return 256 + (s == null ? 0 : 128 + s.headers().length + (s.content() == null ? 0 : s.content().length));
  }

  @Override
  public void write(DeliveryEvent e, Schema writer, BinaryWriter out) {
    out.writeString(e.queueId());
    TYPE.write(e.type(), out);
    SubmittedMessageFormat.writeRecipient(e.recipient(), out);
    out.writeInt(e.attempt());
    out.writeLong(e.occurredAt().toEpochMilli());
    out.writeNullableString(e.remoteMta());
    out.writeLong(e.reply() == null ? 0 : 1);
    if (e.reply() != null) {
      SubmittedMessageFormat.writeReply(e.reply(), out);
    }
    out.writeInt(e.failuresInAttempt());
    out.writeLong(e.message() == null ? 0 : 1);
    if (e.message() != null) {
      writeSummary(e.message(), writer != V1, out);
    }
  }

  @Override
  public DeliveryEvent read(BinaryReader in, Schema writer) {
    String queueId = in.readString();
    EventType type = TYPE.read(in);
    Recipient recipient = SubmittedMessageFormat.readRecipient(in);
    int attempt = in.readInt();
    Instant occurredAt = Instant.ofEpochMilli(in.readLong());
    String remoteMta = in.readNullableString();
    RemoteReply reply = in.readUnionIndex(2) == 0 ? null : SubmittedMessageFormat.readReply(in);
    int failuresInAttempt = in.readInt();
    MessageSummary message = in.readUnionIndex(2) == 0 ? null : readSummary(in, writer != V1);
    return new DeliveryEvent(queueId, type, recipient, attempt, occurredAt, remoteMta, reply, failuresInAttempt,
        message);
  }

  private static void writeSummary(MessageSummary s, boolean withContentField, BinaryWriter out) {
    out.writeString(s.reversePath());
    out.writeNullableString(s.envid());
    SubmittedMessageFormat.RET.writeNullable(s.ret(), out);
    out.writeNullableString(s.messageId());
    out.writeLong(s.size());
    out.writeLong(s.receivedAt().toEpochMilli());
    out.writeString(s.clientAddress());
    out.writeBytes(s.headers());
    if (withContentField) {
      out.writeLong(s.content() == null ? 0 : 1);
      if (s.content() != null) {
        out.writeBytes(s.content());
      }
    } else if (s.content() != null) {
      throw new IllegalStateException("version 1 of DeliveryEvent cannot carry the message content");
    }
  }

  private static MessageSummary readSummary(BinaryReader in, boolean withContentField) {
    String reversePath = in.readString();
    String envid = in.readNullableString();
    Ret ret = SubmittedMessageFormat.RET.readNullable(in);
    String messageId = in.readNullableString();
    long size = in.readLong();
    Instant receivedAt = Instant.ofEpochMilli(in.readLong());
    String clientAddress = in.readString();
    byte[] headers = in.readBytes();
    byte[] content = withContentField && in.readUnionIndex(2) == 1 ? in.readBytes() : null;
    return new MessageSummary(reversePath, envid, ret, messageId, size, receivedAt, clientAddress, headers, content);
  }
}
