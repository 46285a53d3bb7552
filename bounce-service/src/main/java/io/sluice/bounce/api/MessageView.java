package io.sluice.bounce.api;

import io.sluice.bounce.store.BounceReport;
import io.sluice.bounce.store.DeliveryEventRow;
import io.sluice.bounce.store.RecipientOutcome;
import io.sluice.bounce.store.TrackedMessage;
import java.time.Instant;
import java.util.List;

/**
 * JSON shape of {@code GET /api/v1/messages/{queueId}}: the message, each recipient's latest outcome
 * with its history, and the reports sent about it.
 *
 * @param sender envelope sender; {@code ""} is the null reverse-path; null when no summary has
 *     arrived yet
 */
public record MessageView(
    String queueId,
    String sender,
    String messageId,
    Long size,
    Instant receivedAt,
    List<RecipientView> recipients,
    List<ReportView> reports) {

  /** An SMTP reply as recorded. */
  public record ReplyView(int code, String enhancedStatus, String text) {
    static ReplyView of(Integer code, String enhanced, String text) {
      return code == null ? null : new ReplyView(code, enhanced, text);
    }
  }

  /** One recipient: latest outcome and every event, oldest first. */
  public record RecipientView(
      String address,
      String status,
      int attempt,
      ReplyView lastReply,
      String remoteMta,
      String orcpt,
      String notifyOn,
      Instant firstEventAt,
      Instant lastEventAt,
      List<EventView> history) {}

  /** One event of the attempt history. */
  public record EventView(String type, int attempt, Instant occurredAt, String remoteMta, ReplyView reply) {
    static EventView of(DeliveryEventRow e) {
      return new EventView(e.eventType, e.attempt, e.occurredAt, e.remoteMta,
          ReplyView.of(e.replyCode, e.replyEnhanced, e.replyText));
    }
  }

  /** A report decision: which DSN (if any) went out about which attempt. */
  public record ReportView(String queueId, int attempt, String kind, String dsnQueueId, int recipients,
      String skippedReason, Instant createdAt) {
    static ReportView of(BounceReport r) {
      return new ReportView(r.queueId, r.attempt, r.kind.name(), r.dsnQueueId, r.recipients, r.skippedReason,
          r.createdAt);
    }
  }

  static MessageView of(String queueId, TrackedMessage m, List<RecipientOutcome> outcomes,
      List<DeliveryEventRow> events, List<BounceReport> reports) {
    List<RecipientView> recipients = outcomes.stream()
        .map(o -> new RecipientView(o.recipient, o.status, o.attempt,
            ReplyView.of(o.replyCode, o.replyEnhanced, o.replyText), o.remoteMta, o.orcpt, o.notify,
            o.firstEventAt, o.lastEventAt,
            events.stream().filter(e -> e.recipient.equals(o.recipient)).map(EventView::of).toList()))
        .toList();
    return new MessageView(queueId, m == null ? null : m.sender, m == null ? null : m.messageId,
        m == null ? null : m.sizeBytes, m == null ? null : m.receivedAt, recipients,
        reports.stream().map(ReportView::of).toList());
  }
}
