package io.sluice.delivery.consume;

import io.sluice.delivery.kafka.KafkaClientSettings;
import io.sluice.delivery.kafka.PerTopicCooperativeAssignor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
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
import io.sluice.delivery.retry.TierMover;
import io.sluice.delivery.retry.TierRelease;
import io.sluice.delivery.retry.Tiers;
import io.sluice.delivery.suppress.SuppressionGate;
import io.sluice.delivery.telemetry.Tracing;
import io.sluice.schema.AvroCodec;
import io.sluice.schema.GroupStart;
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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
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
import org.jboss.logging.Logger;

/**
 * Reads sluice.submitted and the deferred tiers on its own thread and hands every record to a
 * virtual thread that delivers it.
 *
 * <p>Lifecycle of a record: decoded on the consumer thread (unreadable → sluice.dead). A record on a
 * deferred tier is held until its tier's delay has passed since it was written (or its not-before
 * time, if sooner): its partition alone is rewound to it and paused until then, so a waiting tier
 * never stalls other partitions. A released record whose not-before time is still ahead moves on
 * to a shorter tier ({@link TierRelease}). A record whose every recipient goes to a paused
 * destination is deferred on the consumer thread without an attempt; any other record is dispatched
 * to a worker, which runs the attempt. Either way the outcome records are written with
 * {@code acks=all}, and the producer's acknowledgement marks the record finished (a failed write is
 * retried on a worker until the broker takes it). The consumer thread commits, every commit
 * interval, the offsets up to which every record has finished (contract 2), tracking completions
 * that arrive out of order. When {@code max-in-flight} records are being worked on, all partitions
 * pause until a quarter finished.
 *
 * <p>Rebalance and shutdown wait (up to {@code drain-timeout}) for the records in flight, commit,
 * and only then let go; what did not finish is delivered again by the next owner.
 */
@ApplicationScoped
public class DeliveryConsumer {
  private static final Logger LOG = Logger.getLogger(DeliveryConsumer.class);
  /**
   * While paused for backpressure the consumer thread waits for the workers instead of polling; it
   * still polls at least this often, which keeps the group membership and rebalances going.
   */
  private static final Duration PAUSED_WAIT = Duration.ofMillis(100);
  /** How long a partition waits before a record whose dispatch failed unexpectedly is read again. */
  private static final Duration DISPATCH_RETRY = Duration.ofSeconds(1);

  private final DeliveryConfig config;
  private final KafkaClientSettings kafka;
  private final AttemptRunner runner;
  private final SuppressionGate suppression;
  private final OutcomeWriter writer;
  private final DeadLetters deadLetters;
  private final TierMover mover;
  private final Tracing tracing;
  private final MeterRegistry registry;
  private final Clock clock = Clock.systemUTC();
  private final AvroCodec<SubmittedMessage> codec = AvroCodec.submittedMessages();
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final OffsetTracker tracker = new OffsetTracker();
  private final Map<TopicPartition, Instant> heldUntil = new ConcurrentHashMap<>();
  /** Held partitions already paused, so that a hold is paused once, not after every poll. */
  private final Set<TopicPartition> pausedHolds = new HashSet<>();
  private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
  private final Set<String> onlyDomains;
  private final AtomicLong processed = new AtomicLong();
  private final Counter abandonedAtRevoke;
  private final Counter writeRetries;

  /**
   * Set while outcome writes fail (broker unreachable, producer buffer full), cleared by the next
   * one that succeeds. A send can then block for the producer's {@code max.block.ms}, so deferrals
   * go to workers meanwhile: the consumer thread must keep polling and committing.
   */
  private volatile boolean writesFailing;
  private volatile boolean running;
  private volatile Thread thread;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private boolean backpressure;
  private Instant nextCommit = Instant.EPOCH;

  /** An instance that does not enforce the suppression list (tests that start a second instance). */
  public DeliveryConsumer(DeliveryConfig config, KafkaClientSettings kafka,
      AttemptRunner runner, OutcomeWriter writer, DeadLetters deadLetters, TierMover mover, Tracing tracing,
      MeterRegistry registry) {
    this(config, kafka, runner, new SuppressionGate(null, Clock.systemUTC(), registry), writer, deadLetters, mover, tracing,
        registry);
  }

  @Inject
  public DeliveryConsumer(DeliveryConfig config, KafkaClientSettings kafka,
      AttemptRunner runner, SuppressionGate suppression, OutcomeWriter writer, DeadLetters deadLetters,
      TierMover mover, Tracing tracing, MeterRegistry registry) {
    this.config = config;
    this.kafka = kafka;
    this.runner = runner;
    this.suppression = suppression;
    this.writer = writer;
    this.deadLetters = deadLetters;
    this.mover = mover;
    this.tracing = tracing;
    this.registry = registry;
    this.onlyDomains = config.consumer().onlyRecipientDomains()
        .map(l -> {
          Set<String> s = new HashSet<>();
          l.forEach(d -> s.add(d.strip().toLowerCase(Locale.ROOT)));
          return s;
        })
        .orElse(null);
    this.abandonedAtRevoke = Counter.builder("sluice.delivery.redelivery.risk")
        .description("Records still in flight when their partition was revoked or the service stopped; their new "
            + "owner delivers them again (possible duplicates)")
        .register(registry);
    this.writeRetries = Counter.builder("sluice.delivery.outcome.write.retries")
        .description("Retries of writing an attempt's records to Kafka (each may duplicate events)")
        .register(registry);
    Gauge.builder("sluice.delivery.inflight", tracker, OffsetTracker::inFlight)
        .description("Records being delivered by this instance").register(registry);
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

  /** Stops polling, lets records in flight finish (bounded), commits, and closes the consumer. */
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
        t.join(config.consumer().drainTimeout().plusSeconds(30));
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

  /** Records being delivered by this instance now. */
  public int inFlight() {
    return tracker.inFlight();
  }

  /** Records this instance finished delivering (tests use it to see that instances share work). */
  public long processed() {
    return processed.get();
  }

  public List<String> topics() {
    List<String> topics = new ArrayList<>();
    topics.add(Topics.SUBMITTED);
    topics.addAll(writer.tiers().topics());
    return topics;
  }

  Map<String, Object> properties() {
    Map<String, Object> p = kafka.common();
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.consumer().groupId());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, config.consumer().autoOffsetReset());
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, RecordPublisher.MAX_RECORD_BYTES);
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 4 * RecordPublisher.MAX_RECORD_BYTES);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.consumer().maxPollRecords());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-delivery-" + Long.toHexString(System.nanoTime()));
    // Both protocols rebalance incrementally: a member joining or leaving moves only the partitions that
    // change owner, so the others keep delivering through a rebalance. Classic is the default because
    // Kafka 4.1's KIP-848 consumer costs more CPU per record (KAFKA-18376, KAFKA-19296; about a tenth
    // more per healthy message in delivery.sh's mixed phase, which kept less of the healthy rate).
    p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, config.consumer().groupProtocol());
    if ("consumer".equalsIgnoreCase(config.consumer().groupProtocol())) {
      // Range assigns each topic on its own, so every member gets its share of sluice.submitted (the
      // load) and not, say, only tier partitions.
      p.put(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, "range");
    } else {
      // The same per-topic share, with cooperative (incremental) rebalances; see the class.
      p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, List.of(PerTopicCooperativeAssignor.class));
    }
    return p;
  }

  private void run() {
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(properties(), new StringDeserializer(),
        new ByteArrayDeserializer()); KafkaClientMetrics metrics = new KafkaClientMetrics(c)) {
      metrics.bindTo(registry);
      consumer = c;
      c.subscribe(topics(), new Rebalance());
      LOG.infof("Delivery consumer started: group %s, topics %s, at most %d records in flight",
          config.consumer().groupId(), topics(), config.consumer().maxInFlight());
      while (running) {
        try {
          resumeDuePartitions(c);
          applyBackpressure(c);
          // While paused for backpressure a poll returns nothing and would sit out its whole timeout,
          // long after the workers drained below the resume mark; the SMTP windows then ran dry. Polling
          // in short turns instead cost a round trip to the KIP-848 consumer's background thread each.
          if (backpressure && awaitResumeMark()) {
            continue; // resume first, then poll for records
          }
          ConsumerRecords<String, byte[]> records = c.poll(backpressure ? Duration.ZERO : config.consumer().pollTimeout());
          for (TopicPartition tp : records.partitions()) {
            dispatch(c, tp, records.records(tp));
          }
          pauseHeld(c);
          commitIfDue(c, false);
        } catch (WakeupException e) {
          // stop() woke us; the loop condition ends it
        } catch (RuntimeException e) {
          LOG.errorf(e, "Delivery consumer loop failed; going on. Uncommitted records are delivered again, nothing "
              + "is lost.");
          sleepQuietly(Duration.ofSeconds(1));
        }
      }
      drain(c, assigned, "shutdown");
      // What did not finish stays uncommitted; the revocation that close() triggers must not wait
      // for it (or count it) a second time.
      tracker.forget(List.copyOf(assigned));
      LOG.info("Delivery consumer stopped: finished records committed, consumer closed");
    } catch (RuntimeException e) {
      LOG.errorf(e, "Delivery consumer failed and stopped; liveness now reports DOWN so that the process is restarted");
      running = false;
    } finally {
      consumer = null;
    }
  }

  private void dispatch(KafkaConsumer<String, byte[]> c, TopicPartition tp, List<ConsumerRecord<String, byte[]>> records) {
    Instant now = clock.instant();
    for (ConsumerRecord<String, byte[]> record : records) {
      try {
        if (!dispatch(c, tp, record, now)) {
          return;
        }
      } catch (RuntimeException e) {
        // The poll has moved the position past every record of the batch: read the partition again
        // from this record, after a pause, so that nothing behind it is skipped (and then committed over).
        tracker.abandon(tp, record.offset());
        c.seek(tp, record.offset());
        heldUntil.merge(tp, now.plus(DISPATCH_RETRY), (a, b) -> a.isBefore(b) ? a : b);
        LOG.errorf(e, "Dispatching %s-%d@%d failed; reading the partition again from it in %s", tp.topic(),
            tp.partition(), record.offset(), DISPATCH_RETRY);
        return;
      }
    }
  }

  /** Hands one record to a worker (or settles it at once); false if its partition is now held. */
  private boolean dispatch(KafkaConsumer<String, byte[]> c, TopicPartition tp, ConsumerRecord<String, byte[]> record,
      Instant now) {
    SubmittedMessage message;
    try {
      message = codec.decode(record.value());
    } catch (UnreadableRecordException e) {
      if (onlyDomains != null) {
        tracker.done(tp, record.offset());
      } else {
        tracker.dispatched(tp, record.offset());
        workers.execute(() -> finish(tp, record.offset(),
            untilWritten(() -> { deadLetters.send(record, e.getMessage()).join(); return true; }, record)));
      }
      return true;
    }
    if (onlyDomains != null && !ours(message)) {
      tracker.done(tp, record.offset());
      return true;
    }
    Duration tierDelay = writer.tiers().byTopic(record.topic()).map(Tiers.Tier::delay).orElse(null);
    switch (TierRelease.decide(now, Instant.ofEpochMilli(record.timestamp()), tierDelay, message.notBefore(),
        writer.tiers())) {
      case TierRelease.Decision.Hold hold -> {
        // Not due: rewind the partition to this record and hold it (paused) until it is. The
        // records behind it were written later, so none of them is due earlier.
        c.seek(tp, record.offset());
        heldUntil.merge(tp, hold.until(), (a, b) -> a.isBefore(b) ? a : b);
        return false;
      }
      case TierRelease.Decision.MoveTo move -> {
        tracker.dispatched(tp, record.offset());
        workers.execute(() -> finish(tp, record.offset(),
            untilWritten(() -> { mover.move(record, move.tier()).join(); return true; }, record)));
      }
      case TierRelease.Decision.Deliver deliver -> {
        tracker.dispatched(tp, record.offset(), record.serializedValueSize());
        AttemptReport paused = writesFailing ? null : deferralIfPaused(message);
        if (paused != null) {
          // Settled here, without a worker: a paused destination's mail can be as much as the healthy
          // mail, and a worker per deferral queued for the same carriers as the SMTP sessions. (A
          // worker would find the destination paused too, and defer the mail the same way.)
          writeThenFinish(tp, record, paused, Tracing.copiedFrom(record.headers()));
        } else {
          workers.execute(() -> deliver(tp, record, message));
        }
      }
    }
    return true;
  }

  private void finish(TopicPartition tp, long offset, boolean success) {
    tracker.finished(tp, offset, success);
    if (success) {
      processed.incrementAndGet();
    }
  }

  /**
   * When every recipient goes to a paused destination, the report that defers them all without an
   * attempt (nothing is attempted, so no attempt span: the records written carry the record's own
   * trace context on, contract 6); otherwise null.
   */
  private AttemptReport deferralIfPaused(SubmittedMessage message) {
    try {
      return suppression.mayApply(message) ? null : runner.deferIfPaused(message);
    } catch (RuntimeException e) {
      LOG.errorf(e, "Checking whether %s goes to a paused destination failed; attempting it instead", message.queueId());
      return null;
    }
  }

  /** Runs one attempt on a worker and writes its outcome. */
  private void deliver(TopicPartition tp, ConsumerRecord<String, byte[]> record, SubmittedMessage message) {
    for (int attempt = 1; ; attempt++) {
      Context parent = tracing.extract(record.headers());
      Span span = tracing.startAttempt(parent, message.queueId(), message.attempt() + 1, record.topic());
      try (Scope ignored = span.makeCurrent()) {
        AttemptReport report = suppression.run(message, runner::run);
        writeThenFinish(tp, record, report, tracing.stamp(Context.current()));
        return;
      } catch (RuntimeException e) {
        // A bug, not a delivery failure (those come back as outcomes). Try again a few times, then
        // keep the record whole on sluice.dead rather than hold back every commit of its partition.
        span.setStatus(StatusCode.ERROR, String.valueOf(e));
        if (attempt >= 3 || !running) {
          LOG.errorf(e, "Delivery of %s failed unexpectedly %d times; moving the record to %s", message.queueId(),
              attempt, Topics.DEAD);
          finish(tp, record.offset(), running && untilWritten(() -> {
            deadLetters.send(record, "delivery failed unexpectedly: " + e).join();
            return true;
          }, record));
          return;
        }
        LOG.errorf(e, "Delivery of %s failed unexpectedly; trying again", message.queueId());
        sleepQuietly(Duration.ofSeconds(attempt));
      } finally {
        span.end();
      }
    }
  }

  /**
   * Writes an attempt's records and finishes the source record once the broker has them all
   * (contract 2). The common case completes on the producer's callback, so no thread waits for the
   * acknowledgement; a failed write is retried on a worker until it succeeds or the service stops.
   */
  private void writeThenFinish(TopicPartition tp, ConsumerRecord<String, byte[]> record, AttemptReport report,
      Tracing.Stamp trace) {
    CompletableFuture<Void> written;
    try {
      written = writer.write(report, trace);
    } catch (RuntimeException e) {
      written = CompletableFuture.failedFuture(e);
    }
    written.whenComplete((ok, error) -> {
      writesFailing = error != null;
      if (error == null) {
        finish(tp, record.offset(), true);
        return;
      }
      try {
        workers.execute(() -> finish(tp, record.offset(), untilWritten(() -> {
          writer.write(report, trace).join();
          writesFailing = false;
          return true;
        }, record, error)));
      } catch (RejectedExecutionException stopped) {
        LOG.warnf("Outcome of %s-%d@%d not written before shutdown (%s); it will be delivered again", record.topic(),
            record.partition(), record.offset(), error);
        finish(tp, record.offset(), false);
      }
    });
  }

  /**
   * Retries writing to Kafka until the broker takes it: the attempt already happened, and its
   * outcome must not be dropped. Gives up only at shutdown (the record is then delivered again).
   */
  private boolean untilWritten(BooleanSupplier write, ConsumerRecord<String, byte[]> record) {
    return untilWritten(write, record, null);
  }

  /** @param failed the error of a first write already tried, or null to start with a write */
  private boolean untilWritten(BooleanSupplier write, ConsumerRecord<String, byte[]> record, Throwable failed) {
    Duration backoff = Duration.ofSeconds(1);
    Throwable error = failed;
    while (true) {
      if (error == null) {
        try {
          return write.getAsBoolean();
        } catch (RuntimeException e) {
          error = e;
        }
      }
      if (!running) {
        LOG.warnf("Outcome of %s-%d@%d not written before shutdown (%s); it will be delivered again",
            record.topic(), record.partition(), record.offset(), error);
        return false;
      }
      writeRetries.increment();
      LOG.errorf("Writing the outcome of %s-%d@%d to Kafka failed (%s); retrying in %s. The record stays "
          + "uncommitted meanwhile; records already written for it may be written twice.", record.topic(),
          record.partition(), record.offset(), error, backoff);
      sleepQuietly(backoff);
      backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30)
          : backoff.multipliedBy(2);
      error = null;
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

  private void commitIfDue(KafkaConsumer<String, byte[]> c, boolean now) {
    Instant t = clock.instant();
    if (!now && t.isBefore(nextCommit)) {
      return;
    }
    nextCommit = t.plus(config.consumer().commitInterval());
    Map<TopicPartition, Long> offsets = tracker.drainCommittable();
    Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
    offsets.forEach((tp, offset) -> {
      if (assigned.contains(tp)) {
        commits.put(tp, new OffsetAndMetadata(offset));
      }
    });
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

  /** Waits for the records in flight of {@code partitions}, then commits what finished. */
  private void drain(KafkaConsumer<String, byte[]> c, Collection<TopicPartition> partitions, String why) {
    List<TopicPartition> tps = List.copyOf(partitions);
    try {
      int left = tracker.awaitIdle(tps, config.consumer().drainTimeout().toMillis());
      if (left > 0) {
        abandonedAtRevoke.increment(left);
        LOG.warnf("%s: %d record(s) still in flight after %s; they stay uncommitted and will be delivered again "
            + "by the next owner", why, left, config.consumer().drainTimeout());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      commitIfDue(c, true);
    } catch (RuntimeException e) {
      LOG.warnf("%s: final commit failed (%s); the uncommitted records will be delivered again", why, e);
    }
  }

  /** Waits (at most {@link #PAUSED_WAIT}) until the work in flight is down to where partitions resume. */
  private boolean awaitResumeMark() {
    try {
      return tracker.awaitAtMost(resumeMarkRecords(), resumeMarkBytes(), PAUSED_WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Partitions paused for backpressure resume once the work in flight is down to three quarters of the limits. */
  private int resumeMarkRecords() {
    return config.consumer().maxInFlight() * 3 / 4;
  }

  private long resumeMarkBytes() {
    return config.consumer().maxInFlightBytes() * 3 / 4;
  }

  private void applyBackpressure(KafkaConsumer<String, byte[]> c) {
    int inFlight = tracker.inFlight();
    long bytes = tracker.inFlightBytes();
    int max = config.consumer().maxInFlight();
    long maxBytes = config.consumer().maxInFlightBytes();
    if (!backpressure && (inFlight >= max || bytes >= maxBytes)) {
      backpressure = true;
      c.pause(assigned);
      LOG.debugf("%d records (%d bytes) in flight (limits %d, %d): pausing all partitions", inFlight, bytes, max,
          maxBytes);
    } else if (backpressure && inFlight <= resumeMarkRecords() && bytes <= resumeMarkBytes()) {
      backpressure = false;
      List<TopicPartition> resume = assigned.stream().filter(tp -> !heldUntil.containsKey(tp)).toList();
      c.resume(resume);
    }
  }

  private void pauseHeld(KafkaConsumer<String, byte[]> c) {
    // A pause of the KIP-848 consumer is a round trip to its background thread, and the tiers' partitions
    // are held most of the time.
    List<TopicPartition> toPause = heldUntil.keySet().stream()
        .filter(tp -> assigned.contains(tp) && !pausedHolds.contains(tp)).toList();
    if (!toPause.isEmpty()) {
      c.pause(toPause);
      pausedHolds.addAll(toPause);
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
      due.forEach(pausedHolds::remove);
      List<TopicPartition> owned = due.stream().filter(assigned::contains).toList();
      if (!owned.isEmpty() && !backpressure) {
        c.resume(owned);
      }
    }
  }

  private static void sleepQuietly(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      KafkaConsumer<String, byte[]> c = consumer;
      if (c != null && !partitions.isEmpty()) {
        drain(c, partitions, "partitions revoked");
      }
      assigned.removeAll(partitions);
      partitions.forEach(heldUntil::remove);
      partitions.forEach(pausedHolds::remove);
      tracker.forget(partitions);
      LOG.infof("Partitions revoked: %s", partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      KafkaConsumer<String, byte[]> c = consumer;
      // Cooperative rebalances call this on every member, most often with nothing new for it.
      if (c != null && !partitions.isEmpty()) {
        // Resolve the start positions now, so that "assigned" means "will see every later record".
        partitions.forEach(c::position);
        // A partition the group never committed starts where auto-offset-reset says, once per group.
        Set<TopicPartition> started = GroupStart.commitUncommitted(c, partitions);
        if (!started.isEmpty()) {
          LOG.infof("First start of the group on %s: committed the start positions", started);
        }
        if (backpressure) {
          c.pause(partitions);
        }
      }
      assigned.addAll(partitions);
      LOG.infof("Partitions assigned: %s", partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      // Lost, not revoked: another member may own them already, so nothing may be committed.
      assigned.removeAll(partitions);
      partitions.forEach(heldUntil::remove);
      partitions.forEach(pausedHolds::remove);
      tracker.forget(partitions);
      LOG.warnf("Partitions lost: %s; records in flight there will be delivered again by their new owner", partitions);
    }
  }
}
