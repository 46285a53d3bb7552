package io.sluice.delivery.suppress;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.delivery.kafka.KafkaClientSettings;
import io.sluice.schema.AvroCodec;
import io.sluice.schema.SuppressionEntry;
import io.sluice.schema.Topics;
import io.sluice.schema.UnreadableRecordException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Reads all of sluice.suppressions into the {@link SuppressionView} and keeps following it. Every
 * instance needs the whole list, so there is no consumer group: all partitions are assigned, read
 * from the beginning, and no offset is ever committed. The view counts as loaded once every
 * partition has been read up to the end offset it had when reading started.
 */
@ApplicationScoped
public class SuppressionFollower {
  private static final Logger LOG = Logger.getLogger(SuppressionFollower.class);
  private static final Duration RETRY = Duration.ofSeconds(5);

  private final SuppressionView view = new SuppressionView();
  private final AvroCodec<SuppressionEntry> codec = AvroCodec.suppressionEntries();
  private final SuppressionConfig config;
  private final KafkaClientSettings kafka;
  private final Counter unreadable;
  private volatile boolean running;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private volatile Thread thread;

  @Inject
  public SuppressionFollower(SuppressionConfig config, KafkaClientSettings kafka, MeterRegistry registry) {
    this.config = config;
    this.kafka = kafka;
    this.unreadable = Counter.builder("sluice.delivery.suppression.unreadable")
        .description("Records of sluice.suppressions that could not be read and were skipped").register(registry);
    Gauge.builder("sluice.delivery.suppression.entries", view, SuppressionView::size)
        .description("Addresses in this instance's copy of the suppression list, expired ones included")
        .register(registry);
  }

  public SuppressionView view() {
    return view;
  }

  public boolean enabled() {
    return config.enabled();
  }

  void onStart(@Observes StartupEvent ignored) {
    if (!config.enabled()) {
      LOG.warn("Suppression enforcement is off (sluice.delivery.suppression.enabled=false): suppressed recipients "
          + "are attempted like any other");
      return;
    }
    running = true;
    thread = Thread.ofPlatform().name("sluice-suppressions").daemon(true).start(this::run);
  }

  void onStop(@Observes ShutdownEvent ignored) {
    running = false;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    Thread t = thread;
    if (t != null) {
      t.interrupt(); // when it waits to retry
    }
  }

  private void run() {
    Map<TopicPartition, Long> next = new HashMap<>();
    while (running) {
      try {
        follow(next);
      } catch (WakeupException e) {
        return; // shutdown
      } catch (RuntimeException e) {
        if (!running) {
          return; // interrupted by shutdown
        }
        // Not a broker outage (the client rides those out) but e.g. an authorisation error. The
        // view keeps what it has; reading resumes where it stopped.
        LOG.errorf(e, "Following %s failed; %s, retrying in %s", Topics.SUPPRESSIONS,
            view.isLoaded() ? "enforcing the list as read so far" : "delivery is held until the list is read", RETRY);
        if (!sleep(RETRY)) {
          return;
        }
      }
    }
  }

  /** @param next the next offset to read per partition, kept across reconnections */
  private void follow(Map<TopicPartition, Long> next) {
    Map<String, Object> p = kafka.common();
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-delivery-suppressions");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer = c;
      if (!running) {
        return;
      }
      List<TopicPartition> partitions = awaitPartitions(c);
      c.assign(partitions);
      for (TopicPartition tp : partitions) {
        if (next.containsKey(tp)) {
          c.seek(tp, next.get(tp));
        } else {
          c.seekToBeginning(List.of(tp));
        }
      }
      Map<TopicPartition, Long> end = c.endOffsets(partitions);
      Instant started = Instant.now();
      LOG.infof("Reading the suppression list from %s (%d partitions, at most %d records)", Topics.SUPPRESSIONS,
          partitions.size(), end.values().stream().mapToLong(Long::longValue).sum());
      while (running) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
          apply(r);
          next.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
        }
        if (!view.isLoaded() && partitions.stream().allMatch(tp -> c.position(tp) >= end.get(tp))) {
          view.markLoaded();
          LOG.infof("Suppression list loaded: %d addresses in %d ms; delivery may start", view.size(),
              Duration.between(started, Instant.now()).toMillis());
        }
      }
    } finally {
      consumer = null;
    }
  }

  private static boolean sleep(Duration d) {
    try {
      Thread.sleep(d);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void apply(ConsumerRecord<String, byte[]> r) {
    if (r.key() == null) {
      unreadable.increment();
      LOG.warnf("%s-%d@%d has no key (address); skipped", r.topic(), r.partition(), r.offset());
      return;
    }
    try {
      view.apply(r.key(), r.value() == null ? null : codec.decode(r.value()));
    } catch (UnreadableRecordException e) {
      // The previous state of the address stays; the record stays on the topic for inspection.
      unreadable.increment();
      LOG.errorf("%s-%d@%d for <%s> is unreadable and skipped: %s", r.topic(), r.partition(), r.offset(), r.key(),
          e.getMessage());
    }
  }

  /** The topic's partitions, waiting while it does not exist yet (deploy/local/kafka.sh creates it). */
  private List<TopicPartition> awaitPartitions(KafkaConsumer<String, byte[]> c) {
    while (true) {
      List<PartitionInfo> info;
      try {
        info = c.partitionsFor(Topics.SUPPRESSIONS, Duration.ofSeconds(10));
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        info = List.of();
      }
      if (info != null && !info.isEmpty()) {
        return info.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      }
      LOG.warnf("Topic %s not found; delivery is held until it exists (create it compacted, see "
          + "docs/configuration.md), retrying in %s", Topics.SUPPRESSIONS, RETRY);
      if (!running || !sleep(RETRY)) {
        throw new WakeupException();
      }
    }
  }
}
