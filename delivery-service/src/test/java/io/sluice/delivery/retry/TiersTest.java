package io.sluice.delivery.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TiersTest {
  private final Tiers tiers = Tiers.parse(List.of("1m", "5m", "30m", "2h", "6h"));

  @Test
  void aDelayGoesToTheLongestTierNotLongerThanIt() {
    assertThat(tiers.forDelay(Duration.ofSeconds(10)).name()).isEqualTo("1m");
    assertThat(tiers.forDelay(Duration.ofMinutes(1)).name()).isEqualTo("1m");
    assertThat(tiers.forDelay(Duration.ofMinutes(4)).name()).isEqualTo("1m");
    assertThat(tiers.forDelay(Duration.ofMinutes(5)).name()).isEqualTo("5m");
    assertThat(tiers.forDelay(Duration.ofMinutes(64)).name()).isEqualTo("30m");
    assertThat(tiers.forDelay(Duration.ofHours(6)).name()).isEqualTo("6h");
    assertThat(tiers.forDelay(Duration.ofDays(1)).name()).isEqualTo("6h");
  }

  @Test
  void namesAreTopicsAndDurations() {
    assertThat(tiers.topics()).containsExactly("sluice.deferred.1m", "sluice.deferred.5m", "sluice.deferred.30m",
        "sluice.deferred.2h", "sluice.deferred.6h");
    assertThatThrownBy(() -> Tiers.parse(List.of("soon"))).isInstanceOf(IllegalArgumentException.class);
  }
}
