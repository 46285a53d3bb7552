package io.sluice.schema;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The reference the hand-written formats are held to: the Java records mapped to Avro generic records
 * of the current schema and back, field by field by name, for Avro's own writer and reader.
 */
final class AvroMapping {
  private static final Schema SUBMITTED = Schemas.SUBMITTED_MESSAGE;
  private static final Schema EVENT = Schemas.DELIVERY_EVENT;
  private static final Schema RECIPIENT = SUBMITTED.getField("recipients").schema().getElementType();
  private static final Schema NOTIFY_LIST = nonNull(RECIPIENT.getField("notify").schema());
  private static final Schema NOTIFY = NOTIFY_LIST.getElementType();
  private static final Schema RET = nonNull(SUBMITTED.getField("ret").schema());
  private static final Schema ATTEMPT = SUBMITTED.getField("history").schema().getElementType();
  private static final Schema REPLY = ATTEMPT.getField("reply").schema();
  private static final Schema EVENT_TYPE = EVENT.getField("type").schema();
  private static final Schema SUMMARY = nonNull(EVENT.getField("message").schema());
  private static final Schema SUPPRESSION = Schemas.SUPPRESSION_ENTRY;

  private AvroMapping() {}

  static GenericRecord toAvro(SubmittedMessage m) {
    GenericRecord r = new GenericData.Record(SUBMITTED);
    r.put("queueId", m.queueId());
    r.put("receivedAt", m.receivedAt().toEpochMilli());
    r.put("clientAddress", m.clientAddress());
    r.put("heloName", m.heloName());
    r.put("reversePath", m.reversePath());
    r.put("envid", m.envid());
    r.put("ret", enumOrNull(RET, m.ret()));
    r.put("smtputf8", m.smtputf8());
    r.put("recipients", m.recipients().stream().map(AvroMapping::toAvro).toList());
    r.put("content", ByteBuffer.wrap(m.content()));
    r.put("attempt", m.attempt());
    r.put("notBefore", m.notBefore() == null ? null : m.notBefore().toEpochMilli());
    r.put("history", m.history().stream().map(AvroMapping::toAvro).toList());
    return r;
  }

  static SubmittedMessage submittedMessage(GenericRecord r) {
    List<Recipient> recipients = new ArrayList<>();
    for (Object o : (Collection<?>) r.get("recipients")) {
      recipients.add(recipient((GenericRecord) o));
    }
    List<Attempt> history = new ArrayList<>();
    for (Object o : (Collection<?>) r.get("history")) {
      GenericRecord a = (GenericRecord) o;
      history.add(new Attempt(instant(a.get("at")), string(a.get("remoteMta")), reply((GenericRecord) a.get("reply"))));
    }
    return new SubmittedMessage(
        string(r.get("queueId")),
        instant(r.get("receivedAt")),
        string(r.get("clientAddress")),
        string(r.get("heloName")),
        string(r.get("reversePath")),
        string(r.get("envid")),
        enumValue(Ret.class, r.get("ret")),
        (Boolean) r.get("smtputf8"),
        recipients,
        bytes(r.get("content")),
        (Integer) r.get("attempt"),
        r.get("notBefore") == null ? null : instant(r.get("notBefore")),
        history);
  }

  static GenericRecord toAvro(DeliveryEvent e) {
    GenericRecord r = new GenericData.Record(EVENT);
    r.put("queueId", e.queueId());
    r.put("type", new GenericData.EnumSymbol(EVENT_TYPE, e.type().name()));
    r.put("recipient", toAvro(e.recipient()));
    r.put("attempt", e.attempt());
    r.put("occurredAt", e.occurredAt().toEpochMilli());
    r.put("remoteMta", e.remoteMta());
    r.put("reply", e.reply() == null ? null : toAvro(e.reply()));
    r.put("failuresInAttempt", e.failuresInAttempt());
    r.put("message", e.message() == null ? null : toAvro(e.message()));
    return r;
  }

  static DeliveryEvent deliveryEvent(GenericRecord r) {
    GenericRecord reply = (GenericRecord) r.get("reply");
    GenericRecord message = (GenericRecord) r.get("message");
    return new DeliveryEvent(
        string(r.get("queueId")),
        enumValue(EventType.class, r.get("type")),
        recipient((GenericRecord) r.get("recipient")),
        (Integer) r.get("attempt"),
        instant(r.get("occurredAt")),
        string(r.get("remoteMta")),
        reply == null ? null : reply(reply),
        (Integer) r.get("failuresInAttempt"),
        message == null ? null : summary(message));
  }

  private static GenericRecord toAvro(Recipient rcpt) {
    GenericRecord r = new GenericData.Record(RECIPIENT);
    r.put("address", rcpt.address());
    r.put("notify", rcpt.notifyOn().isEmpty() ? null
        : rcpt.notifyOn().stream().sorted().map(n -> new GenericData.EnumSymbol(NOTIFY, n.name())).toList());
    r.put("orcpt", rcpt.orcpt());
    return r;
  }

  private static Recipient recipient(GenericRecord r) {
    Set<Notify> notify = EnumSet.noneOf(Notify.class);
    Object list = r.get("notify");
    if (list != null) {
      for (Object n : (Collection<?>) list) {
        notify.add(Notify.valueOf(n.toString()));
      }
    }
    return new Recipient(string(r.get("address")), notify, string(r.get("orcpt")));
  }

  private static GenericRecord toAvro(Attempt a) {
    GenericRecord r = new GenericData.Record(ATTEMPT);
    r.put("at", a.at().toEpochMilli());
    r.put("remoteMta", a.remoteMta());
    r.put("reply", toAvro(a.reply()));
    return r;
  }

  private static GenericRecord toAvro(RemoteReply reply) {
    GenericRecord r = new GenericData.Record(REPLY);
    r.put("code", reply.code());
    r.put("enhancedStatus", reply.enhancedStatus());
    r.put("text", reply.text());
    return r;
  }

  private static RemoteReply reply(GenericRecord r) {
    return new RemoteReply((Integer) r.get("code"), string(r.get("enhancedStatus")), string(r.get("text")));
  }

  private static GenericRecord toAvro(MessageSummary s) {
    GenericRecord r = new GenericData.Record(SUMMARY);
    r.put("reversePath", s.reversePath());
    r.put("envid", s.envid());
    r.put("ret", enumOrNull(RET, s.ret()));
    r.put("messageId", s.messageId());
    r.put("size", s.size());
    r.put("receivedAt", s.receivedAt().toEpochMilli());
    r.put("clientAddress", s.clientAddress());
    r.put("headers", ByteBuffer.wrap(s.headers()));
    r.put("content", s.content() == null ? null : ByteBuffer.wrap(s.content()));
    return r;
  }

  private static MessageSummary summary(GenericRecord r) {
    return new MessageSummary(
        string(r.get("reversePath")),
        string(r.get("envid")),
        enumValue(Ret.class, r.get("ret")),
        string(r.get("messageId")),
        (Long) r.get("size"),
        instant(r.get("receivedAt")),
        string(r.get("clientAddress")),
        bytes(r.get("headers")),
        r.get("content") == null ? null : bytes(r.get("content")));
  }

  static GenericRecord toAvro(SuppressionEntry s) {
    GenericRecord r = new GenericData.Record(SUPPRESSION);
    r.put("address", s.address());
    r.put("reason", s.reason());
    r.put("source", s.source());
    r.put("sourceQueueId", s.sourceQueueId());
    r.put("expiresAt", s.expiresAt() == null ? null : s.expiresAt().toEpochMilli());
    r.put("updatedAt", s.updatedAt().toEpochMilli());
    return r;
  }

  static SuppressionEntry suppressionEntry(GenericRecord r) {
    return new SuppressionEntry(
        string(r.get("address")),
        string(r.get("reason")),
        string(r.get("source")),
        string(r.get("sourceQueueId")),
        r.get("expiresAt") == null ? null : instant(r.get("expiresAt")),
        instant(r.get("updatedAt")));
  }

  private static Schema nonNull(Schema union) {
    return union.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).findFirst().orElseThrow();
  }

  private static GenericData.EnumSymbol enumOrNull(Schema schema, Enum<?> value) {
    return value == null ? null : new GenericData.EnumSymbol(schema, value.name());
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, Object symbol) {
    return symbol == null ? null : Enum.valueOf(type, symbol.toString());
  }

  private static String string(Object o) {
    return o == null ? null : o.toString();
  }

  private static Instant instant(Object millis) {
    return Instant.ofEpochMilli((Long) millis);
  }

  private static byte[] bytes(Object o) {
    ByteBuffer buffer = ((ByteBuffer) o).duplicate();
    byte[] out = new byte[buffer.remaining()];
    buffer.get(out);
    return out;
  }
}
