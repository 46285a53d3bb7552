package io.sluice.bounce.dsn;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.sluice.bounce.kafka.TraceHeaders;
import io.sluice.bounce.reinject.DsnPublisher;
import io.sluice.bounce.store.BounceReport;
import io.sluice.bounce.store.DeliveryEventRow;
import io.sluice.bounce.store.EventStore;
import io.sluice.bounce.store.EventStore.AttemptKey;
import io.sluice.bounce.store.RecipientOutcome;
import io.sluice.bounce.store.TrackedMessage;
import io.sluice.schema.EventType;
import io.sluice.schema.MessageSummary;
import io.sluice.schema.QueueIds;
import io.sluice.schema.Recipient;
import io.sluice.schema.RemoteReply;
import io.sluice.schema.Ret;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
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

  /** What became of one attempt's failures. */
  public sealed interface Outcome {
    /** Not every failure of the attempt has arrived yet. */
    record Incomplete(int stored, int expected) implements Outcome {}

    /** An earlier run already decided this attempt. */
    record AlreadyReported() implements Outcome {}

    /** Decided, and no DSN is due (null sender, NOTIFY=NEVER, ...). */
    record Skipped(String reason) implements Outcome {}

    /** A DSN was published. */
    record Sent(String dsnQueueId, int recipients) implements Outcome {}
  }

  private final Clock clock = Clock.systemUTC();
  private final QueueIds queueIds = new QueueIds();
  private final DsnComposer composer = new DsnComposer();

  @Inject EventStore store;
  @Inject DsnPublisher publisher;
  @Inject ReportingMta reportingMta;
  @Inject TraceHeaders trace;

  @Transactional(Transactional.TxType.MANDATORY)
  public Outcome reportIfComplete(AttemptKey key, Context parent) {
    List<DeliveryEventRow> failures = store.failuresOf(key);
    int expected = failures.stream().mapToInt(f -> f.failuresInAttempt).max().orElse(0);
    if (failures.isEmpty() || failures.size() < expected) {
      return new Outcome.Incomplete(failures.size(), expected);
    }
    if (BounceReport.count("queueId = ?1 and attempt = ?2 and kind = ?3",
        key.queueId(), key.attempt(), BounceReport.Kind.FAILED) > 0) {
      return new Outcome.AlreadyReported();
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
    report.skippedReason = skipReason(message, notified);
    if (report.skippedReason == null) {
      report.dsnQueueId = queueIds.next();
    }
    report.persistAndFlush();
    if (report.skippedReason != null) {
      LOG.infof("no DSN for %s attempt %d (%d failed): %s", key.queueId(), key.attempt(), failures.size(),
          report.skippedReason);
      return new Outcome.Skipped(report.skippedReason);
    }

    Span span = trace.start("bounce.dsn", parent, SpanKind.PRODUCER);
    try {
      span.setAttribute("sluice.queue_id", key.queueId());
      span.setAttribute("sluice.dsn_queue_id", report.dsnQueueId);
      Instant now = clock.instant();
      DsnRequest request = request(message, notified, outcomes, report.dsnQueueId, now);
      byte[] dsn = composer.compose(request);
      publisher.publish(report.dsnQueueId, reportingMta.name(), message.sender, dsn, now, span, parent);
      store.recordOwnSubmission(report.dsnQueueId, dsnSummary(request.dsnMessageId(), dsn, now), Recipient.of(message.sender));
      LOG.infof("DSN %s sent to <%s> for %s attempt %d, covering %d recipient(s)", report.dsnQueueId,
          message.sender, key.queueId(), key.attempt(), notified.size());
      return new Outcome.Sent(report.dsnQueueId, notified.size());
    } catch (RuntimeException e) {
      span.recordException(e);
      throw e;
    } finally {
      span.end();
    }
  }

  static String skipReason(TrackedMessage message, List<DeliveryEventRow> notified) {
    if (message == null) {
      return "no message summary stored; the DSN cannot be addressed";
    }
    if (message.sender.isEmpty()) {
      // RFC 5321 §4.5.5 / RFC 3464 §2: a message with the null reverse-path (itself a DSN, most
      // likely) never gets a notification; this is what makes bounce loops impossible.
      return "null reverse-path: never a DSN";
    }
    if (notified.isEmpty()) {
      return "NOTIFY excludes FAILURE for every failed recipient";
    }
    return null;
  }

  private DsnRequest request(TrackedMessage message, List<DeliveryEventRow> failed,
      Map<String, RecipientOutcome> outcomes, String dsnQueueId, Instant now) {
    List<RecipientReport> blocks = new ArrayList<>();
    for (DeliveryEventRow f : failed) {
      RecipientOutcome o = outcomes.get(f.recipient);
      RemoteReply reply = f.replyCode == null ? null : new RemoteReply(f.replyCode, f.replyEnhanced,
          f.replyText == null ? "" : f.replyText);
      boolean expired = EventType.EXPIRED.name().equals(f.eventType);
      // RFC 3463 X.4.7: delivery time expired; the last reply stays in Diagnostic-Code.
      String status = expired ? "5.4.7" : RecipientReport.statusFor(DsnAction.FAILED, reply, ".0.0");
      blocks.add(new RecipientReport(f.recipient, o == null ? null : o.orcpt, status, f.remoteMta, reply,
          f.occurredAt, null));
    }
    byte[] headers = message.headers == null ? new byte[0] : message.headers;
    return new DsnRequest(DsnAction.FAILED, reportingMta.name(), message.sender, message.envid,
        message.receivedAt, message.messageId, headers, null, blocks,
        dsnQueueId + "@" + reportingMta.name(), now);
  }

  private static MessageSummary dsnSummary(String messageId, byte[] dsn, Instant now) {
    return new MessageSummary("", null, Ret.HDRS, "<" + messageId + ">", dsn.length, now, "127.0.0.1", headerSection(dsn));
  }

  /** The header section of a message: everything up to and including the first empty line. */
  static byte[] headerSection(byte[] message) {
    String text = new String(message, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    return end < 0 ? message : text.substring(0, end + 4).getBytes(StandardCharsets.ISO_8859_1);
  }
}
