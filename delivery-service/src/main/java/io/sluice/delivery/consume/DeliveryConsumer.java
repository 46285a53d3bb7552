package io.sluice.delivery.consume;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.delivery.DeliveryConfig;
import io.sluice.delivery.attempt.AttemptReport;
import io.sluice.delivery.attempt.AttemptRunner;
import io.sluice.delivery.outcome.OutcomeWriter;
import io.sluice.delivery.outcome.RecordPublisher;
import io.sluice.delivery.telemetry.Tracing;
import io.sluice.schema.AvroCodec;
import io.sluice.schema.Recipient;
import io.sluice.schema.SubmittedMessage;
import io.sluice.schema.Topics;
import io.sluice.schema.UnreadableRecordException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Reads sluice.submitted and the deferred tiers on its own thread and delivers what it reads.
 *
 * <p>Lifecycle of a poll: every record is decoded (unreadable ones go to sluice.dead); records of a
 * deferred tier whose not-before time lies ahead stop their partition, which is paused and rewound
 * to that record until it is due, so other partitions carry on; every other record is delivered on
 * its own virtual thread, all at once. When every record has its outcome written with
 * {@code acks=all}, the offsets are committed (contract 2). A record whose outcome could not be
 * written is not committed: its partition is rewound to it and it is tried again.
 */
@ApplicationScoped
public class DeliveryConsumer {
  private static final Logger LOG = Logger.getLogger(DeliveryConsumer.class);

  private final DeliveryConfig config;
  private final String bootstrap;
  private final AttemptRunner runner;
  private final OutcomeWriter writer;
  private final DeadLetters deadLetters;
  private final Tracing tracing;
  private final Clock clock = Clock.systemUTC();
  private final AvroCodec<SubmittedMessage> codec = AvroCodec.submittedMessages();
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<TopicPartition, Instant> heldUntil = new ConcurrentHashMap<>();
  private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
  private final Set<String> onlyDomains;

  private volatile boolean running;
  private volatile Thread thread;
  private volatile KafkaConsumer<String, byte[]> consumer;

  @Inject
  public DeliveryConsumer(DeliveryConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
      AttemptRunner runner, OutcomeWriter writer, DeadLetters deadLetters, Tracing tracing) {
    this.config = config;
    this.bootstrap = bootstrap;
    this.runner = runner;
    this.writer = writer;
    this.deadLetters = deadLetters;
    this.tracing = tracing;
    this.onlyDomains = config.consumer().onlyRecipientDomains()
        .map(l -> { Set<String> s = new HashSet<>(); l.forEach(d -> s.add(d.strip().toLowerCase(Locale.ROOT))); return s; })
        .orElse(null);
  }

  void onStart(@Observes StartupEvent event) {
    start();
  }

  void onStop(@Observes ShutdownEvent event) {
    stop();
  }

  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    thread = Thread.ofPlatform().name("sluice-delivery-consumer").start(this::run);
  }

  /** Stops polling, lets the current batch finish and commit, then closes the consumer. */
  public void stop() {
    Thread t;
    synchronized (this) {
      if (!running) {
        return;
      }
      running = false;
      t = thread;
    }
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    try {
      if (t != null) {
        t.join(Duration.ofSeconds(60));
        if (t.isAlive()) {
          LOG.warn("The delivery consumer did not finish its batch within 60 s; uncommitted records will be "
              + "delivered again by the next owner of their partitions");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    workers.shutdown();
  }

  /** Liveness: the consumer thread runs. */
  public boolean isAlive() {
    Thread t = thread;
    return running && t != null && t.isAlive();
  }

  /** Partitions this instance owns now (tests wait for an assignment before producing). */
  public Set<TopicPartition> assignment() {
    return Set.copyOf(assigned);
  }

  public List<String> topics() {
    List<String> topics = new ArrayList<>();
    topics.add(Topics.SUBMITTED);
    topics.addAll(writer.tiers().topics());
    return topics;
  }

  Map<String, Object> properties() {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.consumer().groupId());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, config.consumer().autoOffsetReset());
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, RecordPublisher.MAX_RECORD_BYTES);
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 4 * RecordPublisher.MAX_RECORD_BYTES);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.consumer().maxPollRecords());
    // A batch waits for its slowest SMTP transaction (RFC 5321 timeouts add up to minutes), so the
    // group must not evict us meanwhile.
    p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofMinutes(30).toMillis());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-delivery-" + config.consumer().groupId());
    return p;
  }

  private void run() {
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(properties(), new StringDeserializer(),
        new ByteArrayDeserializer())) {
      consumer = c;
      c.subscribe(topics(), new Rebalance());
      LOG.infof("Delivery consumer started: group %s, topics %s", config.consumer().groupId(), topics());
      while (running) {
        try {
          resumeDuePartitions(c);
          ConsumerRecords<String, byte[]> records = c.poll(config.consumer().pollTimeout());
          if (!records.isEmpty()) {
            processBatch(c, records);
          }
        } catch (WakeupException e) {
          // stop() woke us; the loop condition ends it
        } catch (RuntimeException e) {
          LOG.errorf(e, "Delivery consumer loop failed; rewinding to the committed offsets and going on. Nothing "
              + "uncommitted is lost: it will be delivered again.");
          rewindToCommitted(c);
          sleepQuietly(Duration.ofSeconds(1));
        }
      }
      LOG.info("Delivery consumer stopping: committed what was done, closing");
    } catch (RuntimeException e) {
      LOG.errorf(e, "Delivery consumer failed and stopped; liveness now reports DOWN so that the process is restarted");
      running = false;
    } finally {
      consumer = null;
    }
  }

  private void processBatch(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> records) {
    Map<TopicPartition, List<Pending>> work = new HashMap<>();
    Map<TopicPartition, Long> holdAt = new HashMap<>();
    Instant now = clock.instant();
    for (TopicPartition tp : records.partitions()) {
      List<Pending> list = new ArrayList<>();
      for (ConsumerRecord<String, byte[]> record : records.records(tp)) {
        SubmittedMessage message;
        try {
          message = codec.decode(record.value());
        } catch (UnreadableRecordException e) {
          if (onlyDomains != null) {
            list.add(new Pending(record.offset(), CompletableFuture.completedFuture(null)));
          } else {
            list.add(new Pending(record.offset(), deadLetters.send(record, e.getMessage())));
          }
          continue;
        }
        if (onlyDomains != null && !ours(message)) {
          list.add(new Pending(record.offset(), CompletableFuture.completedFuture(null)));
          continue;
        }
        if (message.notBefore() != null && message.notBefore().isAfter(now)) {
          // Not due yet: stop this partition here and hold it until the record is due.
          holdAt.put(tp, record.offset());
          heldUntil.merge(tp, message.notBefore(), (a, b) -> a.isBefore(b) ? a : b);
          break;
        }
        list.add(new Pending(record.offset(), CompletableFuture.runAsync(() -> deliver(record, message), workers)));
      }
      work.put(tp, list);
    }

    Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
    for (Map.Entry<TopicPartition, List<Pending>> e : work.entrySet()) {
      TopicPartition tp = e.getKey();
      Long next = null;
      Long failedAt = null;
      for (Pending p : e.getValue()) {
        try {
          p.done().join();
          if (failedAt == null) {
            next = p.offset() + 1;
          }
        } catch (RuntimeException failure) {
          if (failedAt == null) {
            failedAt = p.offset();
            LOG.errorf(failure, "Outcome of %s@%d could not be written; it is not committed and will be delivered "
                + "again", tp, p.offset());
          }
        }
      }
      if (next != null) {
        commits.put(tp, new OffsetAndMetadata(next));
      }
      if (failedAt != null) {
        c.seek(tp, failedAt);
        heldUntil.merge(tp, clock.instant().plusSeconds(5), (a, b) -> a.isBefore(b) ? a : b);
      } else if (holdAt.containsKey(tp)) {
        c.seek(tp, holdAt.get(tp));
      }
    }
    for (Map.Entry<TopicPartition, Long> e : holdAt.entrySet()) {
      if (!work.containsKey(e.getKey())) {
        c.seek(e.getKey(), e.getValue());
      }
    }
    pauseHeld(c);
    commit(c, commits);
  }

  private void deliver(ConsumerRecord<String, byte[]> record, SubmittedMessage message) {
    Context parent = tracing.extract(record.headers());
    Span span = tracing.startAttempt(parent, message.queueId(), message.attempt() + 1, record.topic());
    try (Scope ignored = span.makeCurrent()) {
      AttemptReport report = runner.run(message);
      writer.write(report, Context.current()).join();
    } catch (RuntimeException e) {
      span.setStatus(StatusCode.ERROR, String.valueOf(e));
      throw e;
    } finally {
      span.end();
    }
  }

  private boolean ours(SubmittedMessage m) {
    for (Recipient r : m.recipients()) {
      if (!onlyDomains.contains(r.domain())) {
        return false;
      }
    }
    return true;
  }

  private void commit(KafkaConsumer<String, byte[]> c, Map<TopicPartition, OffsetAndMetadata> commits) {
    if (commits.isEmpty()) {
      return;
    }
    try {
      c.commitSync(commits);
    } catch (WakeupException e) {
      // stop() asked us to end, but what is done must still be committed; the wakeup is spent now.
      c.commitSync(commits);
    }
  }

  private void pauseHeld(KafkaConsumer<String, byte[]> c) {
    List<TopicPartition> toPause = new ArrayList<>();
    for (TopicPartition tp : heldUntil.keySet()) {
      if (assigned.contains(tp)) {
        toPause.add(tp);
      }
    }
    if (!toPause.isEmpty()) {
      c.pause(toPause);
    }
  }

  private void resumeDuePartitions(KafkaConsumer<String, byte[]> c) {
    Instant now = clock.instant();
    List<TopicPartition> due = new ArrayList<>();
    heldUntil.forEach((tp, until) -> {
      if (!until.isAfter(now)) {
        due.add(tp);
      }
    });
    if (!due.isEmpty()) {
      due.forEach(heldUntil::remove);
      List<TopicPartition> owned = due.stream().filter(assigned::contains).toList();
      if (!owned.isEmpty()) {
        c.resume(owned);
      }
    }
  }

  private void rewindToCommitted(KafkaConsumer<String, byte[]> c) {
    try {
      Set<TopicPartition> owned = c.assignment();
      Map<TopicPartition, OffsetAndMetadata> committed = c.committed(owned);
      for (TopicPartition tp : owned) {
        OffsetAndMetadata o = committed.get(tp);
        if (o != null) {
          c.seek(tp, o.offset());
        }
      }
    } catch (RuntimeException e) {
      LOG.warnf("Could not rewind to the committed offsets: %s", e.toString());
    }
  }

  private static void sleepQuietly(Duration d) {
    try {
      TimeUnit.MILLISECONDS.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private record Pending(long offset, CompletableFuture<Void> done) {}

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      // Batches are finished and committed before the next poll, so nothing is in flight here.
      assigned.removeAll(partitions);
      partitions.forEach(heldUntil::remove);
      LOG.infof("Partitions revoked: %s", partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      KafkaConsumer<String, byte[]> c = consumer;
      if (c != null) {
        // Resolve the start positions now, so that "assigned" means "will see every later record".
        partitions.forEach(c::position);
      }
      assigned.addAll(partitions);
      LOG.infof("Partitions assigned: %s", partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      onPartitionsRevoked(partitions);
    }
  }
}
