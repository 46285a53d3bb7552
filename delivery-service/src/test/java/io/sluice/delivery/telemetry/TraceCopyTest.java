package io.sluice.delivery.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.schema.KafkaHeaders;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** A paused destination's deferrals carry the source record's trace headers on as they are (contract 6). */
class TraceCopyTest {
  private static final String PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  @Test
  void traceparentAndTracestateAreCopiedAndNothingElse() {
    Headers source = new RecordHeaders();
    source.add("other", "x".getBytes(StandardCharsets.US_ASCII));
    source.add(KafkaHeaders.TRACEPARENT, "00-stale".getBytes(StandardCharsets.US_ASCII));
    source.add(KafkaHeaders.TRACEPARENT, PARENT.getBytes(StandardCharsets.US_ASCII));
    source.add(KafkaHeaders.TRACESTATE, "vendor=1".getBytes(StandardCharsets.US_ASCII));

    Headers written = new RecordHeaders();
    Tracing.copiedFrom(source).onto(written);

    assertThat(written.toArray()).hasSize(2);
    assertThat(new String(written.lastHeader(KafkaHeaders.TRACEPARENT).value(), StandardCharsets.US_ASCII))
        .as("the last traceparent, as extraction would read it").isEqualTo(PARENT);
    assertThat(new String(written.lastHeader(KafkaHeaders.TRACESTATE).value(), StandardCharsets.US_ASCII))
        .isEqualTo("vendor=1");
  }

  @Test
  void aRecordWithoutTraceContextStampsNothing() {
    Headers written = new RecordHeaders();
    Tracing.copiedFrom(new RecordHeaders()).onto(written);
    assertThat(written.toArray()).isEmpty();
  }
}
