package io.sluice.delivery.suppress;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.delivery.kafka.KafkaClientSettings;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

class SuppressionReadinessTest {
  private static SuppressionReadiness readiness(boolean enabled) {
    SuppressionReadiness r = new SuppressionReadiness();
    // Not started: no thread and no Kafka client until the startup event.
    r.follower = new SuppressionFollower(() -> enabled, KafkaClientSettings.of("127.0.0.1:1"), new SimpleMeterRegistry());
    return r;
  }

  @Test
  void notReadyUntilTheListHasBeenRead() {
    SuppressionReadiness r = readiness(true);
    assertThat(r.call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);

    r.follower.view().markLoaded();

    assertThat(r.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    assertThat(r.call().getData()).hasValueSatisfying(d -> assertThat(d).containsEntry("addresses", 0L));
  }

  @Test
  void readyWhenEnforcementIsOff() {
    assertThat(readiness(false).call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
  }
}
