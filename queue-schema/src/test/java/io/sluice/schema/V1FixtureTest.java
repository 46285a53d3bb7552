package io.sluice.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Records written by schema version 1 and committed as binary files must stay readable by every
 * later version of this library. Never regenerate the fixtures; add new ones for new versions.
 */
class V1FixtureTest {
  static final String SUBMITTED = "fixtures/submitted-message-v1.bin";
  static final String EVENT = "fixtures/delivery-event-v1.bin";

  @Test
  void v1SubmittedMessageStillReads() throws IOException {
    assertThat(AvroCodec.submittedMessages().decode(read(SUBMITTED))).isEqualTo(Samples.submitted());
  }

  @Test
  void v1DeliveryEventStillReads() throws IOException {
    assertThat(AvroCodec.deliveryEvents().decode(read(EVENT))).isEqualTo(Samples.bounced());
  }

  static byte[] read(String resource) throws IOException {
    try (InputStream in = V1FixtureTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as("fixture " + resource).isNotNull();
      return in.readAllBytes();
    }
  }

  /** Wrote the committed fixtures once, with schema v1. Kept to document how they were made. */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of("src/test/resources");
    Files.write(dir.resolve(SUBMITTED), AvroCodec.submittedMessages().encode(Samples.submitted()));
    Files.write(dir.resolve(EVENT), AvroCodec.deliveryEvents().encode(Samples.bounced()));
  }
}
