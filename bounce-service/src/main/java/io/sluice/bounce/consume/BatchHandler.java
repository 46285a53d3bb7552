package io.sluice.bounce.consume;

import io.opentelemetry.context.Context;
import io.sluice.bounce.dsn.DelayWarnings;
import io.sluice.bounce.dsn.FailureReports;
import io.sluice.bounce.dsn.Outcome;
import io.sluice.bounce.dsn.SuccessReports;
import io.sluice.bounce.kafka.RecordProducer;
import io.sluice.bounce.store.EventStore;
import io.sluice.bounce.store.EventStore.AttemptKey;
import io.sluice.bounce.suppress.SuppressionList;
import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * One poll batch in one transaction: store the events, update the suppression list, then write the
 * reports they make due (failures, NOTIFY=SUCCESS, delay warnings). The DSNs are acknowledged by the
 * broker before the transaction commits, and the consumer commits offsets only after that, so a
 * crash anywhere replays the batch, and replay is harmless.
 */
@ApplicationScoped
public class BatchHandler {
  /** A decoded event and the trace context of its record. */
  public record Incoming(DeliveryEvent event, Context trace) {}

  /** What one batch did. */
  public record Result(int stored, int duplicates, int suppressed, List<Outcome> reports) {}

  @Inject EventStore store;
  @Inject FailureReports failures;
  @Inject SuccessReports successes;
  @Inject DelayWarnings delays;
  @Inject SuppressionList suppressions;
  @Inject RecordProducer producer;

  @Transactional
  public Result handle(List<Incoming> batch) {
    return handle(batch, () -> { });
  }

  /**
   * @param beforeReports runs once the events are written and before anything is decided on them
   *     (see {@link BatchPipeline}); it may block, and what it throws rolls the batch back
   */
  @Transactional
  public Result handle(List<Incoming> batch, Runnable beforeReports) {
    List<DeliveryEvent> events = new ArrayList<>(batch.size());
    // By identity: a record's hash would cover every field, the message's header bytes included.
    Map<DeliveryEvent, Context> traceOf = new IdentityHashMap<>();
    Map<AttemptKey, Context> attemptTrace = new HashMap<>();
    for (Incoming in : batch) {
      events.add(in.event());
      traceOf.put(in.event(), in.trace());
      // A report continues the trace of the event that completed it (the last one seen).
      attemptTrace.put(new AttemptKey(in.event().queueId(), in.event().attempt()), in.trace());
    }
    EventStore.Persisted persisted = store.persist(events);
    beforeReports.run();
    SuppressionList.Recorded suppressed = suppressions.recordHardBounces(persisted.stored(), Instant.now());

    List<Outcome> outcomes = new ArrayList<>(
        failures.reportAll(persisted.failureAttempts(), ReturnedContent.of(events), attemptTrace));
    Map<AttemptKey, List<DeliveryEvent>> delivered = new LinkedHashMap<>();
    Map<String, List<DeliveryEvent>> deferred = new LinkedHashMap<>();
    for (DeliveryEvent e : persisted.stored()) {
      if (e.type() == EventType.DELIVERED) {
        delivered.computeIfAbsent(new AttemptKey(e.queueId(), e.attempt()), k -> new ArrayList<>()).add(e);
      } else if (e.type() == EventType.DEFERRED) {
        deferred.computeIfAbsent(e.queueId(), k -> new ArrayList<>()).add(e);
      }
    }
    delivered.forEach((key, list) ->
        outcomes.add(successes.report(key.queueId(), key.attempt(), list, traceOf.get(list.getLast()))));
    Map<String, Context> deferredTrace = new HashMap<>();
    deferred.forEach((queueId, list) -> deferredTrace.put(queueId, traceOf.get(list.getLast())));
    outcomes.addAll(delays.warnIfDue(deferred, deferredTrace));
    store.writeOwnSubmissions();
    // Suppression changes and DSNs went out without waiting one by one; the transaction commits only
    // once the broker has them all.
    List<Future<RecordMetadata>> acks = new ArrayList<>(suppressed.acks());
    outcomes.forEach(o -> {
      if (o instanceof Outcome.Sent sent) {
        acks.add(sent.ack());
      }
    });
    producer.awaitAll(acks);
    return new Result(persisted.stored().size(), persisted.duplicates(), suppressed.added(), outcomes);
  }
}
