package io.sluice.bounce.dsn;

import io.opentelemetry.context.Context;
import io.sluice.bounce.store.BounceReport;
import io.sluice.bounce.store.TrackedMessage;
import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.Notify;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * RFC 3461 §4.1 NOTIFY=SUCCESS: a report with {@code Action: delivered} for recipients that asked
 * for one. Recipients delivered in the same attempt and seen in the same batch share one report;
 * each recipient is recorded in its own bounce_report row, so none is ever reported twice.
 */
@ApplicationScoped
public class SuccessReports {
  private final Clock clock = Clock.systemUTC();

  @Inject ReportSender sender;

  /** @param delivered new DELIVERED events of one attempt of one message */
  @Transactional(Transactional.TxType.MANDATORY)
  public Outcome report(String queueId, int attempt, List<DeliveryEvent> delivered, Context parent) {
    List<DeliveryEvent> wanting = delivered.stream()
        .filter(e -> e.recipient().notifyOn().contains(Notify.SUCCESS))
        .toList();
    if (wanting.isEmpty()) {
      return new Outcome.NothingDue();
    }
    Set<String> done = new HashSet<>(BounceReport.<BounceReport>list(
        "queueId = ?1 and attempt = ?2 and kind = ?3", queueId, attempt, BounceReport.Kind.DELIVERED)
        .stream().map(r -> r.recipient).toList());
    List<DeliveryEvent> due = wanting.stream().filter(e -> !done.contains(e.recipient().address())).toList();
    if (due.isEmpty()) {
      return new Outcome.NothingDue();
    }
    TrackedMessage message = TrackedMessage.findById(queueId);
    String skip = FailureReports.skipReason(message);
    String dsnQueueId = skip == null ? sender.newQueueId() : null;
    Instant now = clock.instant();
    List<RecipientReport> blocks = new ArrayList<>();
    for (DeliveryEvent e : due) {
      BounceReport row = new BounceReport();
      row.queueId = queueId;
      row.attempt = attempt;
      row.kind = BounceReport.Kind.DELIVERED;
      row.recipient = e.recipient().address();
      row.recipients = 1;
      row.dsnQueueId = dsnQueueId;
      row.skippedReason = skip;
      row.createdAt = now;
      row.persist();
      blocks.add(new RecipientReport(e.recipient().address(), e.recipient().orcpt(),
          RecipientReport.statusFor(DsnAction.DELIVERED, e.reply(), ".0.0"), e.remoteMta(), e.reply(),
          e.occurredAt(), null));
    }
    BounceReport.flush();
    if (skip != null) {
      return new Outcome.Skipped(DsnAction.DELIVERED, skip);
    }
    var ack = sender.send(dsnQueueId, DsnAction.DELIVERED, message, blocks, parent);
    return new Outcome.Sent(DsnAction.DELIVERED, dsnQueueId, blocks.size(), ack);
  }
}
