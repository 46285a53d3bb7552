package io.sluice.bounce.consume;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Lets the next poll batch write its events while the batch before it still decides its reports,
 * waits for the broker's acks and commits: two transactions on two connections, so that the
 * service's work on one batch overlaps PostgreSQL's on the other instead of each waiting for the
 * other.
 *
 * <p>What keeps this equivalent to one batch after the other: each batch's transaction starts
 * writing only once the previous one has written its events (so a batch only ever waits for the
 * one before it, never the reverse, and the two cannot deadlock), and decides nothing (suppression,
 * failure reports, success reports, delay warnings) until the previous one has committed, so its
 * decisions read everything earlier batches stored, as they would one after the other (an attempt
 * whose failures span both batches is reported once, by the second). A batch whose predecessor
 * failed fails too, and the consumer recovers both from the first one's records. Offsets are
 * committed in batch order by the consumer thread (see {@link #awaitOldest}).
 *
 * <p>Used by the consumer thread only; the transactions run on writer threads of their own.
 */
final class BatchPipeline implements AutoCloseable {
  /** Runs one batch's transaction; {@code beforeReports} is called between writing and deciding. */
  @FunctionalInterface
  interface Handler {
    BatchHandler.Result handle(List<BatchHandler.Incoming> batch, Runnable beforeReports);
  }

  /** A batch that has left the pipeline: its records, and its result or why it failed. */
  record Finished(List<ConsumerRecord<byte[], byte[]>> records, List<BatchHandler.Incoming> batch,
      BatchHandler.Result result, RuntimeException failure) {}

  private record InFlight(List<ConsumerRecord<byte[], byte[]>> records, List<BatchHandler.Incoming> batch,
      CompletableFuture<Void> written, CompletableFuture<BatchHandler.Result> done) {}

  private static final CompletableFuture<BatchHandler.Result> NOTHING = CompletableFuture.completedFuture(null);

  private final int depth;
  private final Handler handler;
  private final ExecutorService writers;
  private final Deque<InFlight> inFlight = new ArrayDeque<>();

  BatchPipeline(int depth, Handler handler) {
    this.depth = depth;
    this.handler = handler;
    this.writers = Executors.newFixedThreadPool(depth, Thread.ofPlatform().name("sluice-bounce-writer-", 0).factory());
  }

  boolean isFull() {
    return inFlight.size() >= depth;
  }

  boolean isEmpty() {
    return inFlight.isEmpty();
  }

  /** True when the oldest batch has finished, so {@link #awaitOldest} returns at once. */
  boolean oldestIsDone() {
    return !inFlight.isEmpty() && inFlight.peekFirst().done().isDone();
  }

  /** Hands a decoded batch (possibly empty: all its records were unreadable) to a writer. */
  void submit(List<ConsumerRecord<byte[], byte[]>> records, List<BatchHandler.Incoming> batch) {
    if (isFull()) {
      throw new IllegalStateException("pipeline full: await the oldest batch first");
    }
    InFlight previous = inFlight.peekLast();
    CompletableFuture<Void> previousWritten = previous == null ? CompletableFuture.completedFuture(null) : previous.written();
    CompletableFuture<BatchHandler.Result> previousDone = previous == null ? NOTHING : previous.done();
    InFlight next = new InFlight(records, batch, new CompletableFuture<>(), new CompletableFuture<>());
    inFlight.addLast(next);
    writers.execute(() -> {
      try {
        previousWritten.join();
        Runnable afterWriting = () -> {
          next.written().complete(null);
          previousDone.join();
        };
        BatchHandler.Result result;
        if (batch.isEmpty()) {
          afterWriting.run();
          result = null;
        } else {
          result = handler.handle(batch, afterWriting);
        }
        next.done().complete(result);
      } catch (Throwable e) {
        next.done().completeExceptionally(e);
      } finally {
        next.written().complete(null);
      }
    });
  }

  /** Waits for the oldest batch to finish and takes it out of the pipeline. */
  Finished awaitOldest() {
    InFlight oldest = inFlight.removeFirst();
    try {
      return new Finished(oldest.records(), oldest.batch(), oldest.done().join(), null);
    } catch (CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      RuntimeException failure = cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
      return new Finished(oldest.records(), oldest.batch(), null, failure);
    }
  }

  /** Waits for every batch in the pipeline and takes them out, oldest first. */
  List<Finished> awaitAll() {
    List<Finished> out = new ArrayList<>();
    while (!inFlight.isEmpty()) {
      out.add(awaitOldest());
    }
    return out;
  }

  @Override
  public void close() {
    writers.shutdown();
    try {
      if (!writers.awaitTermination(30, TimeUnit.SECONDS)) {
        writers.shutdownNow();
      }
    } catch (InterruptedException e) {
      writers.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
