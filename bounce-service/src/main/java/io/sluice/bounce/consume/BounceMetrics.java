package io.sluice.bounce.consume;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import io.sluice.schema.EventType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.EnumMap;
import java.util.Map;

/** The service's meters; registered at startup so that they show at zero before the first event. */
@Startup
@ApplicationScoped
public class BounceMetrics {
  private final Map<EventType, Counter> consumed = new EnumMap<>(EventType.class);
  private final Counter duplicates;
  private final Counter deadLettered;
  private final Map<String, Counter> dsnSent = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, Counter> dsnSkipped = new java.util.concurrent.ConcurrentHashMap<>();
  private final Counter suppressed;
  private final Timer batchPersist;
  private final MeterRegistry registry;

  @Inject
  public BounceMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (EventType type : EventType.values()) {
      // sluice_bounce_events_consumed_total{type=...}
      consumed.put(type, Counter.builder("sluice.bounce.events.consumed")
          .description("Events read from sluice.events and stored, by type").tag("type", type.name())
          .register(registry));
    }
    // sluice_bounce_events_duplicate_total
    duplicates = Counter.builder("sluice.bounce.events.duplicate")
        .description("Events already stored (replays, at-least-once redelivery); skipped").register(registry);
    // sluice_bounce_dead_lettered_total
    deadLettered = Counter.builder("sluice.bounce.dead.lettered")
        .description("Records moved to sluice.dead because they could not be read or processed").register(registry);
    // sluice_bounce_suppressed_total
    suppressed = Counter.builder("sluice.bounce.suppressed")
        .description("Addresses put on the suppression list by a hard bounce").register(registry);
    // sluice_bounce_batch_persist_seconds
    batchPersist = Timer.builder("sluice.bounce.batch.persist")
        .description("Time to persist one poll batch and send its reports, in one transaction")
        .publishPercentileHistogram().register(registry);
  }

  public void consumed(EventType type) {
    consumed.get(type).increment();
  }

  public void duplicates(int n) {
    duplicates.increment(n);
  }

  public void deadLettered() {
    deadLettered.increment();
  }

  /** sluice_bounce_dsn_sent_total{action=failed|delayed|delivered} */
  public void dsnSent(String action) {
    dsnSent.computeIfAbsent(action, a -> Counter.builder("sluice.bounce.dsn.sent")
        .description("DSNs published to sluice.submitted, by Action").tag("action", a).register(registry))
        .increment();
  }

  /** sluice_bounce_dsn_skipped_total{action}: decided, but no DSN due (null sender, NOTIFY, no summary). */
  public void dsnSkipped(String action) {
    dsnSkipped.computeIfAbsent(action, a -> Counter.builder("sluice.bounce.dsn.skipped")
        .description("Report decisions that sent no DSN (null sender, NOTIFY, no summary), by Action")
        .tag("action", a).register(registry)).increment();
  }

  public void suppressed(int n) {
    suppressed.increment(n);
  }

  public Timer batchPersist() {
    return batchPersist;
  }
}
