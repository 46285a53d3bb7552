package io.sluice.schema;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.apache.avro.Schema;

/**
 * SubmittedMessage.avsc (the same in versions 1 and 2), and the named records defined there that
 * DeliveryEvent.avsc uses too: Recipient and RemoteReply.
 */
final class SubmittedMessageFormat implements RecordFormat<SubmittedMessage> {
  private static final Schema RECIPIENT = Schemas.SUBMITTED_MESSAGE.getField("recipients").schema().getElementType();
  static final EnumSymbols<Ret> RET = new EnumSymbols<>(Ret.class,
      nonNull(Schemas.SUBMITTED_MESSAGE.getField("ret").schema()));
  private static final EnumSymbols<Notify> NOTIFY = new EnumSymbols<>(Notify.class,
      nonNull(RECIPIENT.getField("notify").schema()).getElementType());
  private static final Notify[] NOTIFY_ORDER = Notify.values();

  @Override
  public int sizeHint(SubmittedMessage m) {
    return m.content().length + 256 + 64 * (m.recipients().size() + m.history().size());
  }

  @Override
  public void write(SubmittedMessage m, Schema writer, BinaryWriter out) {
    out.writeString(m.queueId());
    out.writeLong(m.receivedAt().toEpochMilli());
    out.writeString(m.clientAddress());
    out.writeString(m.heloName());
    out.writeString(m.reversePath());
    out.writeNullableString(m.envid());
    RET.writeNullable(m.ret(), out);
    out.writeBoolean(m.smtputf8());
    out.writeArray(m.recipients(), SubmittedMessageFormat::writeRecipient);
    out.writeBytes(m.content());
    out.writeInt(m.attempt());
    out.writeNullableLong(m.notBefore() == null ? null : m.notBefore().toEpochMilli());
    out.writeArray(m.history(), SubmittedMessageFormat::writeAttempt);
  }

  @Override
  public SubmittedMessage read(BinaryReader in, Schema writer) {
    String queueId = in.readString();
    Instant receivedAt = Instant.ofEpochMilli(in.readLong());
    String clientAddress = in.readString();
    String heloName = in.readString();
    String reversePath = in.readString();
    String envid = in.readNullableString();
    Ret ret = RET.readNullable(in);
    boolean smtputf8 = in.readBoolean();
    var recipients = in.readArray(SubmittedMessageFormat::readRecipient);
    byte[] content = in.readBytes();
    int attempt = in.readInt();
    Long notBefore = in.readNullableLong();
    var history = in.readArray(SubmittedMessageFormat::readAttempt);
    return new SubmittedMessage(queueId, receivedAt, clientAddress, heloName, reversePath, envid, ret, smtputf8,
        recipients, content, attempt, notBefore == null ? null : Instant.ofEpochMilli(notBefore), history);
  }

  static void writeRecipient(Recipient r, BinaryWriter out) {
    out.writeString(r.address());
    Set<Notify> notify = r.notifyOn();
    out.writeLong(notify.isEmpty() ? 0 : 1); // ["null", array]: no NOTIFY is null, not an empty array
    if (!notify.isEmpty()) {
      out.writeLong(notify.size());
      for (Notify n : NOTIFY_ORDER) { // in declaration order, as a set has none of its own
        if (notify.contains(n)) {
          NOTIFY.write(n, out);
        }
      }
      out.writeLong(0);
    }
    out.writeNullableString(r.orcpt());
  }

  static Recipient readRecipient(BinaryReader in) {
    String address = in.readString();
    Set<Notify> notify = EnumSet.noneOf(Notify.class);
    if (in.readUnionIndex(2) == 1) {
      notify.addAll(in.readArray(NOTIFY::read));
    }
    return new Recipient(address, notify, in.readNullableString());
  }

  static void writeReply(RemoteReply reply, BinaryWriter out) {
    out.writeInt(reply.code());
    out.writeNullableString(reply.enhancedStatus());
    out.writeString(reply.text());
  }

  static RemoteReply readReply(BinaryReader in) {
    return new RemoteReply(in.readInt(), in.readNullableString(), in.readString());
  }

  private static void writeAttempt(Attempt a, BinaryWriter out) {
    out.writeLong(a.at().toEpochMilli());
    out.writeNullableString(a.remoteMta());
    writeReply(a.reply(), out);
  }

  private static Attempt readAttempt(BinaryReader in) {
    return new Attempt(Instant.ofEpochMilli(in.readLong()), in.readNullableString(), readReply(in));
  }

  /** The non-null branch of a {@code ["null", T]} union. */
  static Schema nonNull(Schema union) {
    return union.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).findFirst().orElseThrow();
  }
}
