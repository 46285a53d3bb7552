package io.sluice.bounce.consume;

import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.bounce.config.BounceConfig;
import io.sluice.bounce.dsn.Outcome;
import io.sluice.bounce.kafka.KafkaSettings;
import io.sluice.bounce.kafka.TraceHeaders;
import io.sluice.bounce.store.DatabaseProbe;
import io.sluice.schema.AvroCodec;
import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.GroupStart;
import io.sluice.schema.Topics;
import io.sluice.schema.UnreadableRecordException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Reads sluice.events on its own thread and hands each poll batch to {@link BatchHandler}.
 *
 * <p>Lifecycle: poll → decode (unreadable records go to sluice.dead) → persist the batch and send
 * its DSNs in one transaction → commit offsets, without waiting for the broker (see {@link
 * PersistedOffsets}). A failed batch is rewound to its first offset and read again after a
 * back-off, so nothing is skipped while the database or the broker is down. If
 * the batch keeps failing while the database answers, it is replayed one event at a time and an
 * event that fails on its own is moved to sluice.dead, so one poison event cannot stop the stream.
 *
 * <p>With {@code sluice.bounce.consumer.batches-in-flight} above 1, batches go through a {@link
 * BatchPipeline}: the next one is polled, decoded and written while the previous one finishes.
 */
@ApplicationScoped
public class EventConsumer {
  private static final Logger LOG = Logger.getLogger(EventConsumer.class);
  private static final AvroCodec<DeliveryEvent> CODEC = AvroCodec.deliveryEvents();

  @Inject BounceConfig config;
  @Inject KafkaSettings settings;
  @Inject BatchHandler handler;
  @Inject DeadLetters deadLetters;
  @Inject TraceHeaders trace;
  @Inject BounceMetrics metrics;
  @Inject DatabaseProbe database;

  private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
  private final PersistedOffsets offsets = new PersistedOffsets();
  private volatile boolean running;
  private volatile Thread thread;
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  /** Null when batches are handled one after the other on the consumer thread. */
  private BatchPipeline pipeline;

  void onStart(@Observes StartupEvent ignored) {
    running = true;
    if (config.consumer().batchesInFlight() > 1) {
      pipeline = new BatchPipeline(config.consumer().batchesInFlight(), this::timed);
    }
    thread = Thread.ofPlatform().name("sluice-bounce-consumer").daemon(false).start(this::run);
  }

  /**
   * Graceful stop: the loop finishes the batches in hand (persist, DSNs acknowledged, offsets
   * committed) and leaves at its next poll, which ends within the poll timeout. Only if that takes
   * too long is the consumer woken up; the batch then stays uncommitted and is read again (harmless,
   * consumption is idempotent).
   */
  void onStop(@Observes ShutdownEvent ignored) {
    running = false;
    Thread t = thread;
    if (t == null) {
      return;
    }
    try {
      t.join(config.consumer().pollTimeout().plus(config.producer().sendTimeout()));
      if (t.isAlive()) {
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
          c.wakeup();
        }
        t.join(Duration.ofSeconds(10));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (t.isAlive()) {
      LOG.warn("the event consumer did not stop in time; its uncommitted batch will be read again on restart");
    }
    if (pipeline != null) {
      pipeline.close();
    }
  }

  /** Liveness: the consumer thread runs (or is still starting). */
  public boolean isAlive() {
    Thread t = thread;
    return t != null && t.isAlive();
  }

  /** True once partitions are assigned and their start positions are known (tests wait for this). */
  public boolean hasAssignment() {
    return !assigned.isEmpty();
  }

  private void run() {
    while (running) {
      try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(settings.consumer())) {
        consumer = c;
        c.subscribe(List.of(Topics.EVENTS), new Rebalance(c));
        LOG.infof("consuming %s as group %s from %s", Topics.EVENTS, config.consumer().groupId(),
            settings.bootstrapServers());
        while (running) {
          ConsumerRecords<byte[], byte[]> records = c.poll(config.consumer().pollTimeout());
          if (pipeline == null) {
            if (!records.isEmpty()) {
              process(c, records);
            }
          } else if (records.isEmpty()) {
            drain(c);
          } else {
            dispatch(c, records);
          }
        }
        drain(c);
        offsets.commitAll(c, config.producer().sendTimeout());
      } catch (WakeupException stopping) {
        // shutdown: the last committed offsets stand; an unfinished batch is read again on restart
      } catch (RuntimeException e) {
        LOG.errorf(e, "event consumer failed: %s. Uncommitted events stay on %s and are read again; restarting the "
            + "consumer in %s", e.getMessage(), Topics.EVENTS, config.consumer().retryBackoff());
        sleep(config.consumer().retryBackoff());
      } finally {
        if (pipeline != null) {
          // Their offsets are not committed: the next consumer reads them again, which is harmless.
          pipeline.awaitAll();
        }
        consumer = null;
        assigned.clear();
        offsets.clear();
      }
    }
    LOG.info("event consumer stopped; offsets of every persisted batch are committed");
  }

  private void process(KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> records) {
    List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>(records.count());
    records.forEach(all::add);
    try {
      handleAndCommit(c, all);
    } catch (WakeupException e) {
      throw e;
    } catch (RuntimeException e) {
      recover(c, all, e);
    }
  }

  /** After a failed batch: one event at a time if the database answers, else read it all again later. */
  private void recover(KafkaConsumer<byte[], byte[]> c, List<ConsumerRecord<byte[], byte[]>> records, RuntimeException e) {
    if (running && database.isUp()) {
      LOG.warnf("batch of %d events failed although the database answers (%s); retrying it one event at a time",
          records.size(), describe(e));
      oneByOne(c, records);
    } else {
      rewind(c, records, e);
    }
  }

  /** Hands a poll batch to the pipeline, once there is room (finishing the oldest batch makes it). */
  private void dispatch(KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> records) {
    List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>(records.count());
    records.forEach(all::add);
    while (pipeline.oldestIsDone() || pipeline.isFull()) {
      if (!finishOldest(c, all)) {
        return;
      }
    }
    pipeline.submit(all, decode(all));
  }

  /** Finishes every batch in the pipeline. */
  private void drain(KafkaConsumer<byte[], byte[]> c) {
    while (pipeline != null && !pipeline.isEmpty()) {
      finishOldest(c, List.of());
    }
  }

  /**
   * Commits the oldest batch's offsets once it is persisted. If it failed, so did the batches after
   * it (each waits for its predecessor's commit): their records, and {@code polled} (read after
   * them, not handed on yet), are recovered together, in order, so that no later offset is
   * committed before them.
   *
   * @return false if the oldest batch failed (and {@code polled} was recovered with it)
   */
  private boolean finishOldest(KafkaConsumer<byte[], byte[]> c, List<ConsumerRecord<byte[], byte[]>> polled) {
    BatchPipeline.Finished done = pipeline.awaitOldest();
    if (done.failure() == null) {
      offsets.commit(c, nextOffsets(done.records()));
      count(done.batch(), done.result());
      return true;
    }
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(done.records());
    pipeline.awaitAll().forEach(later -> records.addAll(later.records()));
    records.addAll(polled);
    recover(c, records, done.failure());
    return false;
  }

  /** Decode, dead-letter the unreadable, persist the rest, then commit. */
  private void handleAndCommit(KafkaConsumer<byte[], byte[]> c, List<ConsumerRecord<byte[], byte[]>> records) {
    List<BatchHandler.Incoming> batch = decode(records);
    BatchHandler.Result result = timed(batch, () -> { });
    offsets.commit(c, nextOffsets(records));
    count(batch, result);
  }

  /** The readable events of {@code records}; the others are moved to sluice.dead. */
  private List<BatchHandler.Incoming> decode(List<ConsumerRecord<byte[], byte[]>> records) {
    List<BatchHandler.Incoming> batch = new ArrayList<>(records.size());
    for (ConsumerRecord<byte[], byte[]> r : records) {
      try {
        batch.add(new BatchHandler.Incoming(CODEC.decode(r.value()), trace.extract(r.headers())));
      } catch (UnreadableRecordException e) {
        deadLetters.send(r, e.getMessage());
      }
    }
    return batch;
  }

  private void count(List<BatchHandler.Incoming> batch, BatchHandler.Result result) {
    batch.forEach(in -> metrics.consumed(in.event().type()));
    if (result != null) {
      metrics.duplicates(result.duplicates());
      metrics.suppressed(result.suppressed());
      for (Outcome o : result.reports()) {
        switch (o) {
          case Outcome.Sent s -> metrics.dsnSent(s.action().field());
          case Outcome.Skipped s -> metrics.dsnSkipped(s.action().field());
          default -> { }
        }
      }
    }
  }

  private BatchHandler.Result timed(List<BatchHandler.Incoming> batch, Runnable beforeReports) {
    if (batch.isEmpty()) {
      return null;
    }
    Timer.Sample sample = Timer.start();
    try {
      return handler.handle(batch, beforeReports);
    } finally {
      sample.stop(metrics.batchPersist());
    }
  }

  /** The poison-event path: each event alone; one that still fails while the database is up is dead-lettered. */
  private void oneByOne(KafkaConsumer<byte[], byte[]> c, List<ConsumerRecord<byte[], byte[]>> records) {
    for (int i = 0; i < records.size(); i++) {
      ConsumerRecord<byte[], byte[]> r = records.get(i);
      try {
        handleAndCommit(c, List.of(r));
      } catch (WakeupException e) {
        throw e;
      } catch (RuntimeException e) {
        if (running && database.isUp()) {
          try {
            deadLetters.send(r, "cannot be processed: " + describe(e));
            offsets.commit(c, nextOffsets(List.of(r)));
            continue;
          } catch (RuntimeException deadFailed) {
            e.addSuppressed(deadFailed);
          }
        }
        rewind(c, records.subList(i, records.size()), e);
        return;
      }
    }
  }

  /** Seek back to the first uncommitted record of each partition and wait before polling again. */
  private void rewind(KafkaConsumer<byte[], byte[]> c, List<ConsumerRecord<byte[], byte[]>> records, RuntimeException e) {
    Map<TopicPartition, Long> first = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      first.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
    }
    first.forEach((tp, offset) -> {
      if (c.assignment().contains(tp)) {
        c.seek(tp, offset);
      }
    });
    LOG.errorf("could not persist %d events (%s). Nothing was committed; they will be read again in %s. "
        + "Check PostgreSQL and the broker.", records.size(), describe(e), config.consumer().retryBackoff());
    sleep(config.consumer().retryBackoff());
  }

  /** The innermost cause, which names the real problem (wrappers from CDI and JPA say little). */
  static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? "" : root.getMessage().replaceAll("\\s+", " ").strip();
    return root.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
  }

  private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(List<ConsumerRecord<byte[], byte[]>> records) {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      out.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
          (a, b) -> a.offset() >= b.offset() ? a : b);
    }
    return out;
  }

  private void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    private final KafkaConsumer<byte[], byte[]> c;

    Rebalance(KafkaConsumer<byte[], byte[]> c) {
      this.c = c;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      // The next owner starts from what is committed: make sure that includes every persisted batch.
      drain(c);
      offsets.commitRevoked(c, partitions, config.producer().sendTimeout());
      assigned.removeAll(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      // Resolve start positions now (auto.offset.reset applies here), so "assigned" means ready.
      for (TopicPartition tp : partitions) {
        c.position(tp);
      }
      // A partition the group never committed starts where auto-offset-reset says, once per group.
      Set<TopicPartition> started = GroupStart.commitUncommitted(c, partitions);
      if (!started.isEmpty()) {
        LOG.infof("first start of the group on %d partition(s): committed their start positions", started.size());
      }
      assigned.addAll(partitions);
      LOG.infof("assigned %d partition(s) of %s", partitions.size(), Topics.EVENTS);
    }
  }
}
