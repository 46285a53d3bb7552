package io.sluice.delivery.retry;

import java.time.Duration;

/**
 * The backoff schedule, as a pure function. After attempt n (1-based) failed temporarily, the next
 * try comes after {@code initialDelay * 2^(n-1)}, capped at {@code maxDelay}, less a random share of
 * up to {@code jitter} of it (so a burst of deferrals spreads out). The last retry is moved forward
 * to land exactly at {@code maxAge}; a failure at or after {@code maxAge} expires.
 *
 * <p>Defaults (see DeliveryConfig.Retry): 1m initial, 6h ceiling, 0.2 jitter, 5 days maximum age
 * (RFC 5321 §4.5.4.1 asks for at least 4-5 days and a configurable limit).
 *
 * @param initialDelay delay after the first failed attempt
 * @param maxDelay ceiling of the doubling delay
 * @param jitter share of the delay that may be taken off at random, 0 to 1
 * @param maxAge age of the message (since it was received) after which deferral becomes expiry
 */
public record RetrySchedule(Duration initialDelay, Duration maxDelay, double jitter, Duration maxAge) {

  public RetrySchedule {
    if (initialDelay.isNegative() || initialDelay.isZero()) {
      throw new IllegalArgumentException("initial retry delay must be positive");
    }
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException("maximum retry delay must not be below the initial delay");
    }
    if (jitter < 0 || jitter >= 1) {
      throw new IllegalArgumentException("jitter must be in [0, 1)");
    }
  }

  /**
   * @param attemptsMade attempts made so far, including the one that just failed (1 or more)
   * @param age time since the message was received, at the moment of the failure
   * @param random a uniform sample in [0, 1); 0 means no jitter
   */
  public RetryDecision decide(int attemptsMade, Duration age, double random) {
    if (age.compareTo(maxAge) >= 0) {
      return new RetryDecision.Expire();
    }
    Duration delay = baseDelay(attemptsMade);
    long jitterMillis = (long) (delay.toMillis() * jitter * random);
    delay = delay.minusMillis(jitterMillis);
    Duration remaining = maxAge.minus(age);
    if (delay.compareTo(remaining) > 0) {
      delay = remaining;
    }
    return new RetryDecision.RetryAfter(delay);
  }

  /** {@code initialDelay * 2^(attemptsMade-1)}, capped at {@code maxDelay}, without jitter. */
  public Duration baseDelay(int attemptsMade) {
    int doublings = Math.max(0, attemptsMade - 1);
    Duration delay = initialDelay;
    for (int i = 0; i < doublings && delay.compareTo(maxDelay) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
  }
}
