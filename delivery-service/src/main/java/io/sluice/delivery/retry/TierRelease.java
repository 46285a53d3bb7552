package io.sluice.delivery.retry;

import java.time.Duration;
import java.time.Instant;

/**
 * When a record on a deferred tier may leave it, as a pure function.
 *
 * <p>Every record of tier T waits exactly T from the time it was written (its Kafka timestamp), not
 * until its own not-before time. Records of a partition are written in time order, so their release
 * times are in order too: the record at the head is always the next one due, and a held partition
 * never hides a due record behind a later one (no head-of-line blocking). A record whose not-before
 * time is still well ahead when released moves on to the tier that fits the rest of its wait, like
 * a hand of a timer wheel.
 */
public final class TierRelease {
  /** A record released this close to its not-before time is delivered rather than moved on. */
  public static final Duration SLACK = Duration.ofSeconds(1);

  private TierRelease() {}

  public sealed interface Decision {
    /** Not due: hold the partition at this record until {@code until}. */
    record Hold(Instant until) implements Decision {}

    /** Due and its not-before time has come: deliver it. */
    record Deliver() implements Decision {}

    /** Its wait in this tier is over but its not-before time is still ahead: move it to {@code tier}. */
    record MoveTo(Tiers.Tier tier) implements Decision {}
  }

  /**
   * @param writtenAt the record's timestamp on the tier topic
   * @param tierDelay the tier's delay, or null for a topic that is not a tier (sluice.submitted)
   * @param notBefore the record's not-before time, or null
   */
  public static Decision decide(Instant now, Instant writtenAt, Duration tierDelay, Instant notBefore, Tiers tiers) {
    if (notBefore == null || !notBefore.isAfter(now.plus(SLACK))) {
      return new Decision.Deliver();
    }
    if (tierDelay == null) {
      return new Decision.Hold(notBefore);
    }
    Instant releasedAt = writtenAt.plus(tierDelay);
    if (notBefore.isBefore(releasedAt)) {
      releasedAt = notBefore;
    }
    if (releasedAt.isAfter(now)) {
      return new Decision.Hold(releasedAt);
    }
    return new Decision.MoveTo(tiers.forDelay(Duration.between(now, notBefore)));
  }
}
