package io.sluice.bounce.dsn;

import io.opentelemetry.context.Context;
import io.sluice.bounce.config.BounceConfig;
import io.sluice.bounce.store.BounceReport;
import io.sluice.bounce.store.EventStore;
import io.sluice.bounce.store.RecipientOutcome;
import io.sluice.bounce.store.TrackedMessage;
import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import io.sluice.schema.Notify;
import io.sluice.schema.Recipient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code Action: delayed} warnings (RFC 3464 §2.3.3): once a recipient has waited
 * {@code sluice.bounce.dsn.delay-warning-after} since the message arrived and is still deferred, its
 * sender hears about it once, unless the recipient's NOTIFY excludes DELAY (RFC 3461 §4.1: without
 * NOTIFY the MTA may warn, and this one does). The check runs when a DEFERRED event arrives, so a
 * warning goes out with the first retry past the threshold; with delivery's tiered back-off that is
 * at most one retry interval late. Recorded per recipient with attempt 0: one warning per recipient
 * per message.
 */
@ApplicationScoped
public class DelayWarnings {
  private final Clock clock = Clock.systemUTC();

  @Inject BounceConfig config;
  @Inject EventStore store;
  @Inject ReportSender sender;

  /** RFC 3461 §4.1: NOTIFY=NEVER or a list without DELAY asks for no delay notice. */
  static boolean wantsDelayNotice(Recipient r) {
    return r.notifyOn().isEmpty() || r.notifyOn().contains(Notify.DELAY);
  }

  /** @param deferred new DEFERRED events of one message */
  @Transactional(Transactional.TxType.MANDATORY)
  public Outcome warnIfDue(String queueId, List<DeliveryEvent> deferred, Context parent) {
    Duration after = config.dsn().delayWarningAfter();
    if (after.isZero() || after.isNegative()) {
      return new Outcome.NothingDue();
    }
    TrackedMessage message = TrackedMessage.findById(queueId);
    if (message == null) {
      // No summary yet (RECEIVED not stored): a later deferral will try again.
      return new Outcome.NothingDue();
    }
    Map<String, RecipientOutcome> outcomes = store.outcomesOf(queueId);
    Map<String, DeliveryEvent> latest = new LinkedHashMap<>();
    for (DeliveryEvent e : deferred) {
      RecipientOutcome o = outcomes.get(e.recipient().address());
      boolean stillDeferred = o != null && EventType.DEFERRED.name().equals(o.status);
      boolean waitedLongEnough = !Duration.between(message.receivedAt, e.occurredAt()).minus(after).isNegative();
      if (stillDeferred && waitedLongEnough && wantsDelayNotice(e.recipient())) {
        latest.merge(e.recipient().address(), e, (a, b) -> b.occurredAt().isAfter(a.occurredAt()) ? b : a);
      }
    }
    if (latest.isEmpty()) {
      return new Outcome.NothingDue();
    }
    Set<String> warned = new HashSet<>(BounceReport.<BounceReport>list(
        "queueId = ?1 and attempt = 0 and kind = ?2", queueId, BounceReport.Kind.DELAYED)
        .stream().map(r -> r.recipient).toList());
    latest.keySet().removeAll(warned);
    if (latest.isEmpty()) {
      return new Outcome.NothingDue();
    }

    String skip = FailureReports.skipReason(message);
    String dsnQueueId = skip == null ? sender.newQueueId() : null;
    Instant now = clock.instant();
    Instant retryUntil = message.receivedAt.plus(config.dsn().maxQueueAge());
    List<RecipientReport> blocks = new ArrayList<>();
    for (DeliveryEvent e : latest.values()) {
      BounceReport row = new BounceReport();
      row.queueId = queueId;
      row.attempt = 0;
      row.kind = BounceReport.Kind.DELAYED;
      row.recipient = e.recipient().address();
      row.recipients = 1;
      row.dsnQueueId = dsnQueueId;
      row.skippedReason = skip;
      row.createdAt = now;
      row.persist();
      blocks.add(new RecipientReport(e.recipient().address(), e.recipient().orcpt(),
          RecipientReport.statusFor(DsnAction.DELAYED, e.reply(), ".0.0"), e.remoteMta(), e.reply(), e.occurredAt(),
          retryUntil));
    }
    BounceReport.flush();
    if (skip != null) {
      return new Outcome.Skipped(DsnAction.DELAYED, skip);
    }
    var ack = sender.send(dsnQueueId, DsnAction.DELAYED, message, blocks, parent);
    return new Outcome.Sent(DsnAction.DELAYED, dsnQueueId, blocks.size(), ack);
  }
}
