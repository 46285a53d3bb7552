package io.sluice.bounce.consume;

import io.opentelemetry.context.Context;
import io.sluice.bounce.dsn.FailureReports;
import io.sluice.bounce.store.EventStore;
import io.sluice.bounce.store.EventStore.AttemptKey;
import io.sluice.schema.DeliveryEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One poll batch in one transaction: store the events, then write the reports they complete. The
 * DSNs are acknowledged by the broker before the transaction commits, and the consumer commits
 * offsets only after that, so a crash anywhere replays the batch, and replay is harmless.
 */
@ApplicationScoped
public class BatchHandler {
  /** A decoded event and the trace context of its record. */
  public record Incoming(DeliveryEvent event, Context trace) {}

  /** What one batch did. */
  public record Result(int stored, int duplicates, List<FailureReports.Outcome> reports) {}

  @Inject EventStore store;
  @Inject FailureReports reports;

  @Transactional
  public Result handle(List<Incoming> batch) {
    List<DeliveryEvent> events = new ArrayList<>(batch.size());
    Map<AttemptKey, Context> traceOf = new HashMap<>();
    for (Incoming in : batch) {
      events.add(in.event());
      // The report continues the trace of the event that completed it (the last one seen).
      traceOf.put(new AttemptKey(in.event().queueId(), in.event().attempt()), in.trace());
    }
    EventStore.Persisted persisted = store.persist(events);
    List<FailureReports.Outcome> outcomes = new ArrayList<>();
    for (AttemptKey key : persisted.failureAttempts()) {
      outcomes.add(reports.reportIfComplete(key, traceOf.getOrDefault(key, Context.root())));
    }
    return new Result(persisted.stored(), persisted.duplicates(), outcomes);
  }
}
