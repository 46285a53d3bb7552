package io.sluice.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

/**
 * Records written by schema version 2 and committed as binary files must stay readable by every
 * later version. Never regenerate the fixtures; add new ones for new versions.
 */
class V2FixtureTest {
  static final String SUBMITTED = "fixtures/submitted-message-v2.bin";
  static final String EVENT = "fixtures/delivery-event-v2.bin";
  static final String EVENT_WITH_CONTENT = "fixtures/delivery-event-with-content-v2.bin";
  static final String SUPPRESSION = "fixtures/suppression-entry-v2.bin";

  @Test
  void v2RecordsStillRead() throws IOException {
    assertThat(AvroCodec.submittedMessages().decode(read(SUBMITTED))).isEqualTo(Samples.submitted());
    assertThat(AvroCodec.deliveryEvents().decode(read(EVENT))).isEqualTo(Samples.bounced());
    assertThat(AvroCodec.suppressionEntries().decode(read(SUPPRESSION))).isEqualTo(Samples.suppression());
  }

  @Test
  void v2EventCarriesTheWholeMessage() throws IOException {
    DeliveryEvent read = AvroCodec.deliveryEvents().decode(read(EVENT_WITH_CONTENT));
    assertThat(read).isEqualTo(Samples.bouncedWithContent());
    assertThat(read.message().content()).isEqualTo(Samples.CONTENT);
  }

  @Test
  void aV1EventReadsWithoutContent() throws IOException {
    assertThat(AvroCodec.deliveryEvents().decode(read(V1FixtureTest.EVENT)).message().content()).isNull();
  }

  @Test
  void writerFingerprintTellsTheVersionsApart() throws IOException {
    Schemas.Version v1 = Schemas.VERSIONS.getFirst();
    Schemas.Version v2 = Schemas.VERSIONS.getLast();
    // The event schema changed, so v2 event records name a fingerprint of their own ...
    assertThat(fingerprintIn(read(EVENT))).isEqualTo(fingerprint(v2.deliveryEvent()))
        .isNotEqualTo(fingerprint(v1.deliveryEvent()));
    assertThat(fingerprintIn(read(V1FixtureTest.EVENT))).isEqualTo(fingerprint(v1.deliveryEvent()));
    // ... while SubmittedMessage did not change: v1 services still read what v2 writes.
    assertThat(fingerprint(v2.submittedMessage())).isEqualTo(fingerprint(v1.submittedMessage()));
    assertThat(v1.suppressionEntry()).isNull();
  }

  @Test
  void anEventWithoutContentIsWrittenWithV1SoThatV1ServicesStillReadIt() throws IOException {
    Schemas.Version v1 = Schemas.VERSIONS.getFirst();
    byte[] plain = AvroCodec.deliveryEvents().encode(Samples.bounced());
    byte[] withContent = AvroCodec.deliveryEvents().encode(Samples.bouncedWithContent());

    assertThat(fingerprintIn(plain)).isEqualTo(fingerprint(v1.deliveryEvent()));
    assertThat(fingerprintIn(withContent)).isEqualTo(fingerprint(Schemas.VERSIONS.getLast().deliveryEvent()));
    // A reader that knows only v1, as a service not yet upgraded.
    var v1Only = new org.apache.avro.message.BinaryMessageDecoder<org.apache.avro.generic.GenericRecord>(
        org.apache.avro.generic.GenericData.get(), v1.deliveryEvent());
    assertThat(v1Only.decode(plain).get("queueId").toString()).isEqualTo(Samples.bounced().queueId());
    assertThat(plain).as("byte for byte what v1 wrote").isEqualTo(read(V1FixtureTest.EVENT));
    assertThat(AvroCodec.deliveryEvents().decode(plain)).isEqualTo(Samples.bounced());
  }

  private static long fingerprint(org.apache.avro.Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  /** Single-object encoding: C3 01, then the writer's fingerprint, little-endian. */
  private static long fingerprintIn(byte[] record) {
    assertThat(record[0]).isEqualTo((byte) 0xC3);
    assertThat(record[1]).isEqualTo((byte) 0x01);
    return java.nio.ByteBuffer.wrap(record, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
  }

  private static byte[] read(String resource) throws IOException {
    return V1FixtureTest.read(resource);
  }

  /** Wrote the committed v2 fixtures once. Kept to document how they were made. */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of("src/test/resources");
    Files.write(dir.resolve(SUBMITTED), AvroCodec.submittedMessages().encode(Samples.submitted()));
    Files.write(dir.resolve(EVENT), AvroCodec.deliveryEvents().encode(Samples.bounced()));
    Files.write(dir.resolve(EVENT_WITH_CONTENT), AvroCodec.deliveryEvents().encode(Samples.bouncedWithContent()));
    Files.write(dir.resolve(SUPPRESSION), AvroCodec.suppressionEntries().encode(Samples.suppression()));
  }
}
