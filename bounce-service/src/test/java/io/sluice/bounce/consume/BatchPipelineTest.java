package io.sluice.bounce.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.context.Context;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The orderings that make two batches in the database at once equivalent to one after the other:
 * the second writes only after the first has written, decides nothing before the first has
 * committed, and fails when the first failed.
 */
class BatchPipelineTest {
  private static final List<BatchHandler.Incoming> ONE_EVENT = List.of(new BatchHandler.Incoming(null, Context.root()));
  private static final long WAIT_S = 10;

  @Test
  void theSecondBatchWritesWhileTheFirstFinishesButDecidesOnlyAfterItsCommit() throws Exception {
    CountDownLatch firstWritten = new CountDownLatch(1);
    CountDownLatch secondWriting = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    AtomicBoolean firstCommitted = new AtomicBoolean();
    AtomicBoolean secondDecidedAfterFirstCommit = new AtomicBoolean();
    BatchHandler.Result result = new BatchHandler.Result(1, 0, 0, List.of());
    AtomicInteger calls = new AtomicInteger();
    try (BatchPipeline pipeline = new BatchPipeline(2, (batch, beforeReports) -> {
      if (calls.getAndIncrement() == 0) {
        firstWritten.countDown();
        beforeReports.run();
        await(releaseFirst);
        firstCommitted.set(true);
      } else {
        assertThat(firstWritten.getCount()).as("second batch writing before the first has written").isZero();
        secondWriting.countDown();
        beforeReports.run();
        secondDecidedAfterFirstCommit.set(firstCommitted.get());
      }
      return result;
    })) {
      pipeline.submit(List.of(), ONE_EVENT);
      pipeline.submit(List.of(), ONE_EVENT);
      assertThat(pipeline.isFull()).isTrue();
      assertThat(secondWriting.await(WAIT_S, TimeUnit.SECONDS)).as("second batch writes while the first is open").isTrue();
      releaseFirst.countDown();
      List<BatchPipeline.Finished> finished = pipeline.awaitAll();
      assertThat(finished).extracting(BatchPipeline.Finished::failure).containsOnlyNulls();
      assertThat(secondDecidedAfterFirstCommit).isTrue();
    }
  }

  @Test
  void aBatchWhosePredecessorFailedFailsBeforeDecidingAnything() {
    AtomicBoolean secondDecided = new AtomicBoolean();
    try (BatchPipeline pipeline = new BatchPipeline(2, (batch, beforeReports) -> {
      if (batch.size() == 2) {
        beforeReports.run();
        throw new IllegalStateException("database gone");
      }
      beforeReports.run();
      secondDecided.set(true);
      return new BatchHandler.Result(1, 0, 0, List.of());
    })) {
      pipeline.submit(List.of(), List.of(ONE_EVENT.getFirst(), ONE_EVENT.getFirst()));
      pipeline.submit(List.of(), ONE_EVENT);
      List<BatchPipeline.Finished> finished = pipeline.awaitAll();
      assertThat(finished.get(0).failure()).hasMessage("database gone");
      assertThat(finished.get(1).failure()).isNotNull();
      assertThat(secondDecided).isFalse();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
