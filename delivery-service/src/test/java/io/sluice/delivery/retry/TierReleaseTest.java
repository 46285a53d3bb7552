package io.sluice.delivery.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TierReleaseTest {
  private final Tiers tiers = Tiers.parse(List.of("1m", "5m", "30m", "2h", "6h"));
  private final Instant written = Instant.parse("2026-11-23T12:00:00Z");
  private final Duration tier = Duration.ofMinutes(30);

  private TierRelease.Decision at(Duration sinceWritten, Duration notBeforeAfterWritten) {
    return TierRelease.decide(written.plus(sinceWritten), written, tier, written.plus(notBeforeAfterWritten), tiers);
  }

  @Test
  void aRecordIsHeldForTheTiersDelayFromWhenItWasWritten() {
    assertThat(at(Duration.ofMinutes(10), Duration.ofMinutes(64)))
        .isEqualTo(new TierRelease.Decision.Hold(written.plus(tier)));
  }

  @Test
  void aRecordDueBeforeTheTierEndsIsHeldOnlyUntilItIsDue() {
    assertThat(at(Duration.ZERO, Duration.ofMinutes(20))).isEqualTo(new TierRelease.Decision.Hold(written.plus(Duration.ofMinutes(20))));
  }

  @Test
  void atItsNotBeforeTimeItIsDelivered() {
    assertThat(at(Duration.ofMinutes(64), Duration.ofMinutes(64))).isInstanceOf(TierRelease.Decision.Deliver.class);
  }

  @Test
  void withinTheSlackBeforeItsNotBeforeTimeItIsDelivered() {
    assertThat(at(Duration.ofMinutes(64).minusMillis(900), Duration.ofMinutes(64)))
        .isInstanceOf(TierRelease.Decision.Deliver.class);
  }

  @Test
  void afterTheTiersDelayARecordStillWaitingMovesToTheTierThatFitsTheRest() {
    assertThat(at(Duration.ofMinutes(30), Duration.ofMinutes(64)))
        .isEqualTo(new TierRelease.Decision.MoveTo(tiers.forDelay(Duration.ofMinutes(34))));
    assertThat(((TierRelease.Decision.MoveTo) at(Duration.ofMinutes(30), Duration.ofMinutes(64))).tier().name()).isEqualTo("30m");
    assertThat(((TierRelease.Decision.MoveTo) at(Duration.ofMinutes(30), Duration.ofMinutes(33))).tier().name()).isEqualTo("1m");
  }

  @Test
  void recordsWithoutNotBeforeOrOffTheTiersAreDeliveredOrHeldUntilDue() {
    assertThat(TierRelease.decide(written, written, tier, null, tiers)).isInstanceOf(TierRelease.Decision.Deliver.class);
    assertThat(TierRelease.decide(written, written, null, written.plusSeconds(60), tiers))
        .isEqualTo(new TierRelease.Decision.Hold(written.plusSeconds(60)));
  }
}
