package io.sluice.delivery.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** One test per boundary of the schedule (STYLE 6). */
class RetryScheduleTest {
  private final RetrySchedule schedule =
      new RetrySchedule(Duration.ofMinutes(1), Duration.ofHours(6), 0.2, Duration.ofDays(5));

  private Duration delay(int attempts, Duration age, double random) {
    return ((RetryDecision.RetryAfter) schedule.decide(attempts, age, random)).delay();
  }

  @Test
  void firstFailureWaitsTheInitialDelay() {
    assertThat(delay(1, Duration.ZERO, 0)).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void eachFurtherFailureDoubles() {
    assertThat(delay(2, Duration.ofMinutes(1), 0)).isEqualTo(Duration.ofMinutes(2));
    assertThat(delay(3, Duration.ofMinutes(3), 0)).isEqualTo(Duration.ofMinutes(4));
    assertThat(delay(9, Duration.ofHours(5), 0)).isEqualTo(Duration.ofMinutes(256));
  }

  @Test
  void theDelayStopsGrowingAtTheCeiling() {
    assertThat(delay(10, Duration.ofHours(10), 0)).isEqualTo(Duration.ofHours(6)); // 512m > 6h
    assertThat(delay(60, Duration.ofHours(10), 0)).isEqualTo(Duration.ofHours(6)); // no overflow
  }

  @Test
  void jitterTakesOffAtMostItsShare() {
    assertThat(delay(1, Duration.ZERO, 0.999)).isGreaterThan(Duration.ofSeconds(48)).isLessThanOrEqualTo(Duration.ofMinutes(1));
    assertThat(delay(1, Duration.ZERO, 0.5)).isEqualTo(Duration.ofSeconds(54));
  }

  @Test
  void theLastRetryLandsExactlyAtTheMaximumAge() {
    Duration age = Duration.ofDays(5).minusMinutes(10);
    assertThat(delay(40, age, 0)).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void justBeforeTheMaximumAgeItStillRetries() {
    assertThat(schedule.decide(40, Duration.ofDays(5).minusMillis(1), 0)).isInstanceOf(RetryDecision.RetryAfter.class);
  }

  @Test
  void atTheMaximumAgeItExpires() {
    assertThat(schedule.decide(40, Duration.ofDays(5), 0)).isInstanceOf(RetryDecision.Expire.class);
    assertThat(schedule.decide(1, Duration.ofDays(6), 0)).isInstanceOf(RetryDecision.Expire.class);
  }
}
