package io.sluice.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * The hand-written formats against Avro's own generic writer and reader on the schema files: the
 * same bytes for the same value, and each side reads what the other wrote. Corrupt input of any
 * kind is an {@link UnreadableRecordException}, never another exception or a large allocation.
 */
class RecordFormatTest {
  private final AvroCodec<SubmittedMessage> messages = AvroCodec.submittedMessages();
  private final AvroCodec<DeliveryEvent> events = AvroCodec.deliveryEvents();
  private final AvroCodec<SuppressionEntry> suppressions = AvroCodec.suppressionEntries();

  @Test
  void messagesAreWrittenByteForByteAsAvroWritesThem() throws IOException {
    for (SubmittedMessage m : messageVariants()) {
      byte[] ours = messages.encode(m);
      assertThat(ours).as(m.toString()).isEqualTo(avro(Schemas.SUBMITTED_MESSAGE).encode(AvroMapping.toAvro(m)));
      assertThat(AvroMapping.submittedMessage(avro(Schemas.SUBMITTED_MESSAGE).decode(ours))).isEqualTo(m);
      assertThat(messages.decode(ours)).isEqualTo(m);
    }
  }

  @Test
  void eventsAreWrittenByteForByteAsAvroWritesThemInTheVersionTheyNeed() throws IOException {
    Schema v1 = Schemas.VERSIONS.getFirst().deliveryEvent();
    for (DeliveryEvent e : eventVariants()) {
      boolean needsV2 = e.message() != null && e.message().content() != null;
      Schema writer = needsV2 ? Schemas.DELIVERY_EVENT : v1;
      GenericRecord reference = AvroMapping.toAvro(e);
      if (!needsV2 && e.message() != null) { // the v1 summary has no content field
        reference.put("message", v1Summary((GenericRecord) reference.get("message"), writer));
      }
      byte[] ours = events.encode(e);
      assertThat(ours).as(e.toString()).isEqualTo(avro(writer).encode(reference));
      assertThat(AvroMapping.deliveryEvent(avro(Schemas.DELIVERY_EVENT, v1).decode(ours))).isEqualTo(e);
      assertThat(events.decode(ours)).isEqualTo(e);
    }
  }

  @Test
  void suppressionEntriesAreWrittenByteForByteAsAvroWritesThem() throws IOException {
    SuppressionEntry permanent = new SuppressionEntry("x@example.com", "API", "API", null, null, Instant.EPOCH);
    for (SuppressionEntry s : List.of(Samples.suppression(), permanent)) {
      byte[] ours = suppressions.encode(s);
      assertThat(ours).isEqualTo(avro(Schemas.SUPPRESSION_ENTRY).encode(AvroMapping.toAvro(s)));
      assertThat(suppressions.decode(ours)).isEqualTo(s);
    }
  }

  @Test
  void arraysWrittenInSizedBlocksAreRead() throws IOException {
    // Avro's blocking encoder writes arrays as blocks with a negative count and a byte size.
    SubmittedMessage m = messageVariants().get(2);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(new byte[] {(byte) 0xC3, 0x01});
    body.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(SchemaNormalization.parsingFingerprint64(Schemas.SUBMITTED_MESSAGE)).array());
    BinaryEncoder blocking = EncoderFactory.get().blockingBinaryEncoder(body, null);
    new GenericDatumWriter<GenericRecord>(Schemas.SUBMITTED_MESSAGE).write(AvroMapping.toAvro(m), blocking);
    blocking.flush();
    byte[] blocked = body.toByteArray();
    assertThat(blocked).isNotEqualTo(messages.encode(m));
    assertThat(messages.decode(blocked)).isEqualTo(m);
  }

  @Test
  void everyTruncationIsUnreadable() {
    byte[] whole = messages.encode(messageVariants().get(2));
    for (int length = 0; length < whole.length; length++) {
      byte[] truncated = Arrays.copyOf(whole, length);
      assertThatThrownBy(() -> messages.decode(truncated)).as("first %d bytes", length)
          .isInstanceOf(UnreadableRecordException.class);
    }
    byte[] longer = Arrays.copyOf(whole, whole.length + 1);
    assertThatThrownBy(() -> messages.decode(longer)).isInstanceOf(UnreadableRecordException.class)
        .hasMessageContaining("1 bytes after the end");
  }

  @Test
  void corruptBytesEitherReadOrAreUnreadableButNeverFailOtherwise() {
    Random random = new Random(42);
    for (byte[] whole : List.of(messages.encode(messageVariants().get(2)), events.encode(Samples.bouncedWithContent()))) {
      for (int i = 0; i < 20_000; i++) {
        byte[] corrupt = whole.clone();
        for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
          corrupt[10 + random.nextInt(corrupt.length - 10)] = (byte) random.nextInt(256);
        }
        for (AvroCodec<?> codec : List.of(messages, events)) {
          try {
            codec.decode(corrupt);
          } catch (UnreadableRecordException expected) {
            // fine: the only way a codec may refuse bytes
          }
        }
      }
    }
  }

  @Test
  void aLengthBeyondTheRecordIsRefusedBeforeAnythingIsAllocated() {
    byte[] header = Arrays.copyOf(messages.encode(Samples.submitted()), 10);
    byte[] huge = Arrays.copyOf(header, 15); // queueId's length: zig-zag varint of 2^31, no bytes behind it
    huge[10] = (byte) 0x80;
    huge[11] = (byte) 0x80;
    huge[12] = (byte) 0x80;
    huge[13] = (byte) 0x80;
    huge[14] = 0x10;
    assertThatThrownBy(() -> messages.decode(huge)).isInstanceOf(UnreadableRecordException.class)
        .hasMessageContaining("length 2147483648");
  }

  @Test
  void anUnknownFingerprintIsNamed() {
    byte[] bytes = messages.encode(Samples.submitted());
    bytes[2] ^= 1;
    assertThatThrownBy(() -> messages.decode(bytes)).isInstanceOf(UnreadableRecordException.class)
        .hasMessageContaining("does not know (fingerprint");
  }

  @Test
  void enumIndicesFollowTheSchemaNotTheJavaOrder() {
    EnumSymbols<Notify> reversed = new EnumSymbols<>(Notify.class,
        Schema.createEnum("Notify", null, "t", List.of("DELAY", "FAILURE", "SUCCESS", "NEVER")));
    BinaryWriter out = new BinaryWriter(4);
    reversed.write(Notify.NEVER, out);
    assertThat(out.toByteArray()).containsExactly(6); // index 3, zig-zag encoded
    assertThat(reversed.read(new BinaryReader(new byte[] {0}))).isEqualTo(Notify.DELAY);
    assertThatThrownBy(() -> new EnumSymbols<>(Notify.class, Schema.createEnum("Notify", null, "t", List.of("NEVER"))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no symbol SUCCESS");
  }

  private static List<SubmittedMessage> messageVariants() {
    SubmittedMessage s = Samples.submitted();
    byte[] large = new byte[70_000];
    new Random(1).nextBytes(large);
    return List.of(
        s,
        SubmittedMessage.accepted("01JDXQ0M8Y6V4H3Z9K2B7C5N1S", Instant.ofEpochMilli(-1), "::1", "", "", null, null,
            false, List.of(Recipient.of("a@b")), new byte[0]),
        new SubmittedMessage("01JDXQ0M8Y6V4H3Z9K2B7C5N1T", Instant.ofEpochMilli(Long.MAX_VALUE), "203.0.113.5",
            "héllo.example", "jöhn@exämple.org", "ënv", Ret.FULL, true,
            List.of(new Recipient("用户@例子.广告", EnumSet.allOf(Notify.class), null),
                new Recipient("b@example.net", Set.of(Notify.NEVER), "utf-8;b@example.net"),
                new Recipient("c@example.net", Set.of(Notify.SUCCESS, Notify.DELAY), null)),
            large, Integer.MAX_VALUE, Instant.ofEpochMilli(Long.MIN_VALUE),
            List.of(new Attempt(Instant.EPOCH, null, new RemoteReply(421, null, "")),
                new Attempt(Instant.ofEpochMilli(123_456_789), "mx.example.net", new RemoteReply(599, "4.4.1", "x")))));
  }

  private static List<DeliveryEvent> eventVariants() {
    DeliveryEvent b = Samples.bounced();
    MessageSummary bare = new MessageSummary("", null, null, null, 0, Instant.EPOCH, "::1", new byte[0]);
    return List.of(
        b,
        Samples.bouncedWithContent(),
        DeliveryEvent.received(b.queueId(), Recipient.of("ü@example.org"), Instant.ofEpochMilli(5), bare),
        new DeliveryEvent(b.queueId(), EventType.DEFERRED, new Recipient("d@x", EnumSet.allOf(Notify.class), null),
            Integer.MAX_VALUE, Instant.ofEpochMilli(-5), null, new RemoteReply(451, null, "throttled"), 0, null),
        new DeliveryEvent(b.queueId(), EventType.EXPIRED, b.recipient(), 9, b.occurredAt(), "mx", b.reply(), 1,
            bare.withContent("x".getBytes(StandardCharsets.US_ASCII))),
        new DeliveryEvent(b.queueId(), EventType.DELIVERED, b.recipient(), 1, b.occurredAt(), "mx",
            new RemoteReply(250, "2.0.0", "ok"), 0, null));
  }

  /** The same summary as a record of v1's MessageSummary, which has no content field. */
  private static GenericRecord v1Summary(GenericRecord summary, Schema v1Event) {
    Schema v1 = v1Event.getField("message").schema().getTypes().get(1);
    GenericRecord r = new GenericData.Record(v1);
    v1.getFields().forEach(f -> r.put(f.name(), summary.get(f.name())));
    return r;
  }

  /** Avro's own single-object writer and reader for a schema (reading also the older ones given). */
  private static Avro avro(Schema schema, Schema... older) {
    return new Avro(schema, older);
  }

  private record Avro(Schema schema, Schema[] older) {
    byte[] encode(GenericRecord r) throws IOException {
      ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(r);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    }

    GenericRecord decode(byte[] bytes) throws IOException {
      BinaryMessageDecoder<GenericRecord> decoder = new BinaryMessageDecoder<>(GenericData.get(), schema);
      Arrays.stream(older).forEach(decoder::addSchema);
      return decoder.decode(bytes);
    }
  }
}
