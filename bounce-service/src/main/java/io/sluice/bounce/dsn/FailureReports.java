package io.sluice.bounce.dsn;

import io.opentelemetry.context.Context;
import io.sluice.bounce.store.BounceReport;
import io.sluice.bounce.store.DeliveryEventRow;
import io.sluice.bounce.store.EventStore;
import io.sluice.bounce.store.EventStore.AttemptKey;
import io.sluice.bounce.store.RecipientOutcome;
import io.sluice.bounce.store.TrackedMessage;
import io.sluice.schema.EventType;
import io.sluice.schema.Recipient;
import io.sluice.schema.RemoteReply;
import io.sluice.schema.Ret;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Contract 4: one DSN per failed attempt of a message, covering every recipient that failed in it.
 * BOUNCED and EXPIRED events say how many recipients failed in their attempt
 * ({@code failuresInAttempt}); once that many failures of the attempt are stored, exactly one report
 * is written. The unique bounce_report row is inserted and flushed before the DSN is published, in
 * the caller's transaction, so a replayed event finds the row and sends nothing. A poll batch's
 * attempts are decided together, so the database work is a few statements per batch, not per DSN.
 */
@ApplicationScoped
public class FailureReports {
  private static final Logger LOG = Logger.getLogger(FailureReports.class);

  private final Clock clock = Clock.systemUTC();

  @Inject EventStore store;
  @Inject ReportSender sender;

  /**
   * Decides the failure reports of a batch's attempts together: their inputs are read in one go
   * ({@link EventStore#failureFacts}), the due bounce_report rows are inserted in one flush, and only
   * then are the DSNs published (each ack is in its {@link Outcome.Sent}; the caller awaits them).
   *
   * @param attempts attempts that got a new BOUNCED or EXPIRED event
   * @param returned for RET=FULL, the whole message per attempt, from the attempt's failure events
   * @param traces the trace each attempt's report continues
   * @return one outcome per attempt, in the order given
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public List<Outcome> reportAll(Collection<AttemptKey> attempts, Map<AttemptKey, byte[]> returned,
      Map<AttemptKey, Context> traces) {
    EventStore.FailureFacts facts = store.failureFacts(attempts);
    List<Outcome> outcomes = new ArrayList<>(attempts.size());
    List<Due> due = new ArrayList<>();
    for (AttemptKey key : attempts) {
      List<DeliveryEventRow> failures = facts.failures().getOrDefault(key, List.of());
      int expected = failures.stream().mapToInt(f -> f.failuresInAttempt).max().orElse(0);
      if (failures.isEmpty() || failures.size() < expected) {
        outcomes.add(new Outcome.Incomplete(failures.size(), expected));
      } else if (facts.reported().contains(key)) {
        outcomes.add(new Outcome.NothingDue());
      } else {
        Due d = decide(key, failures, facts.messages().get(key.queueId()),
            facts.outcomes().getOrDefault(key.queueId(), Map.of()));
        d.report.persist();
        due.add(d);
        outcomes.add(null); // filled in once the rows are flushed
      }
    }
    if (due.isEmpty()) {
      return outcomes;
    }
    // The unique rows reach the database before any DSN is published: a concurrent writer or a
    // replay fails or finds them, and never sends a second report.
    BounceReport.flush();
    var pending = due.iterator();
    for (int i = 0; i < outcomes.size(); i++) {
      if (outcomes.get(i) == null) {
        Due d = pending.next();
        AttemptKey key = new AttemptKey(d.report.queueId, d.report.attempt);
        outcomes.set(i, send(d, returned.get(key), traces.getOrDefault(key, Context.root())));
      }
    }
    return outcomes;
  }

  /** A report row to insert, and what its DSN will say. */
  private record Due(BounceReport report, TrackedMessage message, List<RecipientReport> blocks) {}

  private Due decide(AttemptKey key, List<DeliveryEventRow> failures, TrackedMessage message,
      Map<String, RecipientOutcome> outcomes) {
    List<DeliveryEventRow> notified = new ArrayList<>();
    for (DeliveryEventRow f : failures) {
      RecipientOutcome o = outcomes.get(f.recipient);
      Recipient r = new Recipient(f.recipient, EventStore.parseNotify(o == null ? null : o.notify), null);
      if (r.wantsFailureNotice()) {
        notified.add(f);
      }
    }
    BounceReport report = new BounceReport();
    report.queueId = key.queueId();
    report.attempt = key.attempt();
    report.kind = BounceReport.Kind.FAILED;
    report.recipients = failures.size();
    report.createdAt = clock.instant();
    report.skippedReason = skipReason(message);
    if (report.skippedReason == null && notified.isEmpty()) {
      report.skippedReason = "NOTIFY excludes FAILURE for every failed recipient";
    }
    if (report.skippedReason == null) {
      report.dsnQueueId = sender.newQueueId();
    }
    return new Due(report, message, blocks(notified, outcomes));
  }

  private Outcome send(Due d, byte[] originalContent, Context parent) {
    BounceReport report = d.report;
    if (report.skippedReason != null) {
      LOG.infof("no DSN for %s attempt %d (%d failed): %s", report.queueId, report.attempt, report.recipients,
          report.skippedReason);
      return new Outcome.Skipped(DsnAction.FAILED, report.skippedReason);
    }
    if (originalContent == null && Ret.FULL.name().equals(d.message.ret)) {
      // Only after a replay out of the usual order; the report still goes out, with the headers.
      LOG.warnf("%s attempt %d asked for RET=FULL but the body was not among the events at hand; the DSN returns "
          + "the headers only", report.queueId, report.attempt);
    }
    var ack = sender.send(report.dsnQueueId, DsnAction.FAILED, d.message, d.blocks, originalContent, parent);
    return new Outcome.Sent(DsnAction.FAILED, report.dsnQueueId, d.blocks.size(), ack);
  }

  /** Why no report at all can go out about this message, or null when one can. */
  static String skipReason(TrackedMessage message) {
    if (message == null) {
      return "no message summary stored; the DSN cannot be addressed";
    }
    if (message.sender.isEmpty()) {
      // RFC 5321 §4.5.5 / RFC 3461 §6.2: a message with the null reverse-path (most likely itself a
      // DSN) never gets a notification; this is what makes bounce loops impossible.
      return "null reverse-path: never a DSN";
    }
    return null;
  }

  private static List<RecipientReport> blocks(List<DeliveryEventRow> failed, Map<String, RecipientOutcome> outcomes) {
    List<RecipientReport> blocks = new ArrayList<>();
    for (DeliveryEventRow f : failed) {
      RecipientOutcome o = outcomes.get(f.recipient);
      RemoteReply reply = reply(f.replyCode, f.replyEnhanced, f.replyText);
      boolean expired = EventType.EXPIRED.name().equals(f.eventType);
      // RFC 3463 X.4.7: delivery time expired; the last reply stays in Diagnostic-Code.
      String status = expired ? "5.4.7" : RecipientReport.statusFor(DsnAction.FAILED, reply, ".0.0");
      blocks.add(new RecipientReport(f.recipient, o == null ? null : o.orcpt, status, f.remoteMta, reply,
          f.occurredAt, null));
    }
    return blocks;
  }

  static RemoteReply reply(Integer code, String enhanced, String text) {
    return code == null ? null : new RemoteReply(code, enhanced, text == null ? "" : text);
  }
}
