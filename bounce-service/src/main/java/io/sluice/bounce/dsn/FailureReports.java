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
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Contract 4: one DSN per failed attempt of a message, covering every recipient that failed in it.
 * BOUNCED and EXPIRED events say how many recipients failed in their attempt
 * ({@code failuresInAttempt}); once that many failures of the attempt are stored, exactly one report
 * is written. The unique bounce_report row is inserted and flushed before the DSN is published, in
 * the caller's transaction, so a replayed event finds the row and sends nothing.
 */
@ApplicationScoped
public class FailureReports {
  private static final Logger LOG = Logger.getLogger(FailureReports.class);

  private final Clock clock = Clock.systemUTC();

  @Inject EventStore store;
  @Inject ReportSender sender;

  @Transactional(Transactional.TxType.MANDATORY)
  public Outcome reportIfComplete(AttemptKey key, Context parent) {
    return reportIfComplete(key, null, parent);
  }

  /**
   * @param originalContent the whole message for RET=FULL, from the attempt's last failure event
   *     (the one that completes the report), or null
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public Outcome reportIfComplete(AttemptKey key, byte[] originalContent, Context parent) {
    List<DeliveryEventRow> failures = store.failuresOf(key);
    int expected = failures.stream().mapToInt(f -> f.failuresInAttempt).max().orElse(0);
    if (failures.isEmpty() || failures.size() < expected) {
      return new Outcome.Incomplete(failures.size(), expected);
    }
    if (BounceReport.count("queueId = ?1 and attempt = ?2 and kind = ?3",
        key.queueId(), key.attempt(), BounceReport.Kind.FAILED) > 0) {
      return new Outcome.NothingDue();
    }

    TrackedMessage message = TrackedMessage.findById(key.queueId());
    Map<String, RecipientOutcome> outcomes = store.outcomesOf(key.queueId());
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
    report.persistAndFlush();
    if (report.skippedReason != null) {
      LOG.infof("no DSN for %s attempt %d (%d failed): %s", key.queueId(), key.attempt(), failures.size(),
          report.skippedReason);
      return new Outcome.Skipped(DsnAction.FAILED, report.skippedReason);
    }
    if (originalContent == null && Ret.FULL.name().equals(message.ret)) {
      // Only after a replay out of the usual order; the report still goes out, with the headers.
      LOG.warnf("%s attempt %d asked for RET=FULL but the body was not among the events at hand; the DSN returns "
          + "the headers only", key.queueId(), key.attempt());
    }
    var ack = sender.send(report.dsnQueueId, DsnAction.FAILED, message, blocks(notified, outcomes), originalContent,
        parent);
    return new Outcome.Sent(DsnAction.FAILED, report.dsnQueueId, notified.size(), ack);
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
