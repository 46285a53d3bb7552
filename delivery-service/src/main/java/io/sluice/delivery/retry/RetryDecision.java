package io.sluice.delivery.retry;

import java.time.Duration;

/** What to do with a recipient that was deferred: try again after a delay, or give up. */
public sealed interface RetryDecision {
  /** Try again after {@code delay}. */
  record RetryAfter(Duration delay) implements RetryDecision {}

  /** The maximum age is reached: the recipient becomes EXPIRED. */
  record Expire() implements RetryDecision {}
}
