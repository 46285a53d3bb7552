package io.sluice.bounce.dsn;

import io.opentelemetry.context.Context;
import io.sluice.bounce.config.BounceConfig;
import io.sluice.bounce.kafka.RecordProducer;
import io.sluice.bounce.store.BounceReport;
import io.sluice.bounce.store.EventStore;
import io.sluice.bounce.store.RecipientOutcome;
import io.sluice.bounce.store.TrackedMessage;
import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import io.sluice.schema.Notify;
import io.sluice.schema.RemoteReply;
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
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * {@code Action: delayed} warnings (RFC 3464 §2.3.3): once a recipient has waited
 * {@code sluice.bounce.dsn.delay-warning-after} since the message arrived and is still deferred, its
 * sender hears about it once, unless the recipient's NOTIFY excludes DELAY (RFC 3461 §4.1: without
 * NOTIFY the MTA may warn, and this one does). Two paths lead here: a DEFERRED event that arrives
 * past the delay (at once, in the consumer's batch), and {@link DelayScanner}, which finds recipients
 * whose next retry is still far off. Every decision is a bounce_report row with attempt 0, one per
 * recipient, so each recipient is warned at most once per message whichever path gets there first.
 */
@ApplicationScoped
public class DelayWarnings {
  private final Clock clock = Clock.systemUTC();

  @Inject BounceConfig config;
  @Inject EventStore store;
  @Inject ReportSender sender;
  @Inject RecordProducer producer;

  /** A deferred recipient, from its latest DEFERRED event or its stored outcome. */
  record Deferred(String address, String orcpt, Set<Notify> notifyOn, RemoteReply reply, String remoteMta,
      Instant lastAttempt) {}

  /** RFC 3461 §4.1: NOTIFY=NEVER or a list without DELAY asks for no delay notice. */
  static boolean wantsDelayNotice(Set<Notify> notify) {
    return notify.isEmpty() || notify.contains(Notify.DELAY);
  }

  /**
   * The event path: warns about the messages whose new deferrals make a warning due. The summaries
   * and outcomes of all the batch's deferred messages are read together (two queries), since most
   * deferrals come before the delay and need nothing more.
   *
   * @param deferred new DEFERRED events by queue id
   * @param traces the trace each message's warning continues
   * @return one outcome per message, in the order given
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public List<Outcome> warnIfDue(Map<String, List<DeliveryEvent>> deferred, Map<String, Context> traces) {
    Duration after = config.dsn().delayWarningAfter();
    if (after.isZero() || after.isNegative() || deferred.isEmpty()) {
      return deferred.keySet().stream().map(q -> (Outcome) new Outcome.NothingDue()).toList();
    }
    EventStore.Summaries summaries = store.summaries(deferred.keySet());
    List<Outcome> out = new ArrayList<>(deferred.size());
    deferred.forEach((queueId, events) -> out.add(warnIfDue(summaries.messages().get(queueId),
        summaries.outcomes().getOrDefault(queueId, Map.of()), events, after, traces.get(queueId))));
    return out;
  }

  private Outcome warnIfDue(TrackedMessage message, Map<String, RecipientOutcome> outcomes,
      List<DeliveryEvent> deferred, Duration after, Context parent) {
    if (message == null) {
      // No summary yet (RECEIVED not stored): a later deferral or the scanner will try again.
      return new Outcome.NothingDue();
    }
    Map<String, Deferred> latest = new LinkedHashMap<>();
    for (DeliveryEvent e : deferred) {
      RecipientOutcome o = outcomes.get(e.recipient().address());
      boolean stillDeferred = o != null && EventType.DEFERRED.name().equals(o.status);
      boolean waitedLongEnough = !Duration.between(message.receivedAt, e.occurredAt()).minus(after).isNegative();
      if (stillDeferred && waitedLongEnough) {
        Deferred d = new Deferred(e.recipient().address(), e.recipient().orcpt(), e.recipient().notifyOn(), e.reply(),
            e.remoteMta(), e.occurredAt());
        latest.merge(d.address(), d, (a, b) -> b.lastAttempt().isAfter(a.lastAttempt()) ? b : a);
      }
    }
    return warn(message, new ArrayList<>(latest.values()), parent);
  }

  /**
   * The scan path: recipients still deferred whose message arrived before now minus the delay and
   * who have no decision yet, at most {@code limit} of them.
   *
   * @return how many DSNs were sent (acknowledged by the broker before this returns)
   */
  @Transactional
  public int scan(int limit) {
    Duration after = config.dsn().delayWarningAfter();
    if (after.isZero() || after.isNegative()) {
      return 0;
    }
    List<Object[]> rows = RecipientOutcome.getEntityManager().createQuery(
            "select o, m from RecipientOutcome o, TrackedMessage m where m.queueId = o.queueId"
                + " and o.status = :deferred and m.receivedAt <= :cutoff and not exists (select 1 from BounceReport r"
                + " where r.queueId = o.queueId and r.attempt = 0 and r.kind = :kind and r.recipient = o.recipient)"
                + " order by m.receivedAt, o.queueId",
            Object[].class)
        .setParameter("deferred", EventType.DEFERRED.name())
        .setParameter("cutoff", clock.instant().minus(after))
        .setParameter("kind", BounceReport.Kind.DELAYED)
        .setMaxResults(limit)
        .getResultList();
    Map<String, List<Deferred>> byMessage = new LinkedHashMap<>();
    Map<String, TrackedMessage> messages = new LinkedHashMap<>();
    for (Object[] row : rows) {
      RecipientOutcome o = (RecipientOutcome) row[0];
      TrackedMessage m = (TrackedMessage) row[1];
      messages.put(m.queueId, m);
      byMessage.computeIfAbsent(m.queueId, k -> new ArrayList<>()).add(new Deferred(o.recipient, o.orcpt,
          EventStore.parseNotify(o.notify), FailureReports.reply(o.replyCode, o.replyEnhanced, o.replyText),
          o.remoteMta, o.lastEventAt));
    }
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    byMessage.forEach((queueId, deferred) -> {
      // No event triggered this report, so it starts a trace of its own.
      if (warn(messages.get(queueId), deferred, Context.root()) instanceof Outcome.Sent sent) {
        acks.add(sent.ack());
      }
    });
    store.writeOwnSubmissions();
    producer.awaitAll(acks);
    return acks.size();
  }

  private Outcome warn(TrackedMessage message, List<Deferred> candidates, Context parent) {
    if (candidates.isEmpty()) {
      return new Outcome.NothingDue();
    }
    Set<String> decided = new HashSet<>(BounceReport.<BounceReport>list(
        "queueId = ?1 and attempt = 0 and kind = ?2", message.queueId, BounceReport.Kind.DELAYED)
        .stream().map(r -> r.recipient).toList());
    String skip = FailureReports.skipReason(message);
    String dsnQueueId = skip == null ? sender.newQueueId() : null;
    Instant now = clock.instant();
    Instant retryUntil = message.receivedAt.plus(config.dsn().maxQueueAge());
    List<RecipientReport> blocks = new ArrayList<>();
    for (Deferred d : candidates) {
      if (!decided.add(d.address())) {
        continue;
      }
      boolean wanted = wantsDelayNotice(d.notifyOn());
      BounceReport row = new BounceReport();
      row.queueId = message.queueId;
      row.attempt = 0;
      row.kind = BounceReport.Kind.DELAYED;
      row.recipient = d.address();
      row.recipients = 1;
      row.skippedReason = skip != null ? skip : wanted ? null : "NOTIFY excludes DELAY";
      row.dsnQueueId = row.skippedReason == null ? dsnQueueId : null;
      row.createdAt = now;
      row.persist();
      if (row.skippedReason == null) {
        blocks.add(new RecipientReport(d.address(), d.orcpt(),
            RecipientReport.statusFor(DsnAction.DELAYED, d.reply(), ".0.0"), d.remoteMta(), d.reply(), d.lastAttempt(),
            retryUntil));
      }
    }
    BounceReport.flush();
    if (blocks.isEmpty()) {
      return skip == null ? new Outcome.NothingDue() : new Outcome.Skipped(DsnAction.DELAYED, skip);
    }
    var ack = sender.send(dsnQueueId, DsnAction.DELAYED, message, blocks, parent);
    return new Outcome.Sent(DsnAction.DELAYED, dsnQueueId, blocks.size(), ack);
  }
}
