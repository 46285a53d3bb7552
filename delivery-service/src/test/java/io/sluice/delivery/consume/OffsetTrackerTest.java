package io.sluice.delivery.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {
  private final TopicPartition p0 = new TopicPartition("t", 0);
  private final TopicPartition p1 = new TopicPartition("t", 1);
  private final OffsetTracker tracker = new OffsetTracker();

  @Test
  void aSlowRecordHoldsBackTheCommitOfLaterOnesButNotTheirCompletion() {
    for (long o = 10; o < 14; o++) {
      tracker.dispatched(p0, o);
    }
    tracker.finished(p0, 12, true);
    tracker.finished(p0, 13, true);
    assertThat(tracker.drainCommittable()).isEmpty();
    assertThat(tracker.inFlight()).isEqualTo(2);

    tracker.finished(p0, 10, true);
    assertThat(tracker.drainCommittable()).containsEntry(p0, 11L);

    tracker.finished(p0, 11, true);
    assertThat(tracker.drainCommittable()).containsEntry(p0, 14L);
    assertThat(tracker.inFlight()).isZero();
  }

  @Test
  void aWaiterForTheResumeMarkWakesWhenEnoughRecordsFinishedAndTimesOutOtherwise() throws Exception {
    for (long o = 0; o < 4; o++) {
      tracker.dispatched(p0, o, 100);
    }
    assertThat(tracker.awaitAtMost(2, 1000, 50)).as("4 in flight, none finishes").isFalse();
    assertThat(tracker.awaitAtMost(4, 400, 50)).as("already at the mark").isTrue();
    assertThat(tracker.awaitAtMost(4, 399, 50)).as("bytes count too").isFalse();

    Thread finisher = Thread.ofVirtual().start(() -> {
      try {
        Thread.sleep(100);
        tracker.finished(p0, 3, true);
        Thread.sleep(100);
        tracker.finished(p0, 1, true);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    long start = System.nanoTime();
    assertThat(tracker.awaitAtMost(2, 1000, 10_000)).isTrue();
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    finisher.join();

    assertThat(tracker.inFlight()).isEqualTo(2);
    assertThat(tookMillis).as("woken by the second finish, long before the timeout").isBetween(150L, 5_000L);
  }

  @Test
  void partitionsAreIndependentAndSkippedRecordsCountAsDone() {
    tracker.dispatched(p0, 0);
    tracker.done(p1, 5);
    tracker.dispatched(p1, 6);
    tracker.finished(p1, 6, true);
    assertThat(tracker.drainCommittable()).containsOnlyKeys(p1).containsEntry(p1, 7L);
  }

  @Test
  void aRecordWhoseOutcomeWasNotWrittenIsNeverCommittedPast() {
    tracker.dispatched(p0, 0);
    tracker.dispatched(p0, 1);
    tracker.finished(p0, 1, true);
    tracker.finished(p0, 0, false);
    assertThat(tracker.drainCommittable()).isEmpty();
    assertThat(tracker.inFlight()).isZero();
  }

  @Test
  void messageBytesInFlightAreCountedUntilTheRecordFinishes() {
    tracker.dispatched(p0, 0, 1000);
    tracker.dispatched(p1, 0, 500);
    tracker.finished(p0, 0, true);
    assertThat(tracker.inFlightBytes()).isEqualTo(500);
    tracker.forget(List.of(p1));
    assertThat(tracker.inFlightBytes()).isZero();
  }

  @Test
  void forgettingARevokedPartitionDropsItsInFlightCount() throws InterruptedException {
    tracker.dispatched(p0, 0);
    tracker.dispatched(p1, 0);
    assertThat(tracker.awaitIdle(List.of(p0), 50)).isEqualTo(1);
    tracker.forget(List.of(p0));
    assertThat(tracker.inFlight()).isEqualTo(1);
    tracker.finished(p0, 0, true); // late completion after revocation is ignored
    assertThat(tracker.inFlight()).isEqualTo(1);
    assertThat(tracker.awaitIdle(List.of(p0), 50)).isZero();
  }

  @Test
  void anAbandonedRecordNoLongerCountsAndIsDispatchedAgainFromScratch() {
    tracker.dispatched(p0, 0, 100);
    tracker.dispatched(p0, 1, 100);
    tracker.abandon(p0, 1);
    assertThat(tracker.inFlight()).isEqualTo(1);
    assertThat(tracker.inFlightBytes()).isEqualTo(100);

    tracker.finished(p0, 0, true);
    assertThat(tracker.drainCommittable()).containsEntry(p0, 1L);
    tracker.dispatched(p0, 1, 100);
    tracker.finished(p0, 1, true);
    assertThat(tracker.drainCommittable()).containsEntry(p0, 2L);
    assertThat(tracker.inFlight()).isZero();
    assertThat(tracker.inFlightBytes()).isZero();
  }
}
