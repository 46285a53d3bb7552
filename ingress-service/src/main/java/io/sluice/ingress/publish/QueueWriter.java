package io.sluice.ingress.publish;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.sluice.ingress.IngressMetrics;
import io.sluice.ingress.smtp.Greeting;
import io.sluice.ingress.smtp.HeaderSection;
import io.sluice.ingress.smtp.Replies;
import io.sluice.ingress.smtp.SessionContext;
import io.sluice.ingress.smtp.SmtpReply;
import io.sluice.ingress.smtp.Transaction;
import io.sluice.schema.MessageSummary;
import io.sluice.schema.QueueIds;
import io.sluice.schema.SubmittedMessage;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Finishes a mail transaction whose content was read completely: gives it a queue id, writes it to
 * Kafka inside one span per transaction, and returns the reply for the end of data. The content
 * passed in already carries the Received header (see {@code MessageFinisher}).
 */
@ApplicationScoped
public class QueueWriter {
  private static final Logger LOG = Logger.getLogger(QueueWriter.class);

  private final MessagePublisher publisher;
  private final IngressMetrics metrics;
  private final Tracer tracer;

  QueueWriter(MessagePublisher publisher, IngressMetrics metrics, Tracer tracer) {
    this.publisher = publisher;
    this.metrics = metrics;
    this.tracer = tracer;
  }

  /**
   * @param queueId from {@link QueueIds}, already written into the Received header
   * @param transactionStart when MAIL was accepted: the span starts there
   * @param content the message as it will be queued (trace header included)
   */
  public SmtpReply write(
      SessionContext session, Greeting greeting, Transaction tx, String queueId, Instant transactionStart,
      Instant receivedAt, byte[] content) {
    Span span = tracer.spanBuilder("smtp transaction")
        .setSpanKind(SpanKind.SERVER)
        .setStartTimestamp(transactionStart)
        .setAttribute("sluice.queue_id", queueId)
        .setAttribute("smtp.recipients", tx.recipients().size())
        .setAttribute("smtp.message_size", content.length)
        .setAttribute("client.address", session.clientAddress().getHostAddress())
        .startSpan();
    try {
      Context trace = Context.root().with(span);
      SubmittedMessage message = SubmittedMessage.accepted(
          queueId, receivedAt, session.clientAddress().getHostAddress(), greeting.name(), tx.from().address(),
          tx.envid(), tx.ret(), tx.smtputf8(), tx.recipients(), content);
      long started = System.nanoTime();
      PublishOutcome outcome = publisher.publish(message, trace);
      Duration latency = Duration.ofNanos(System.nanoTime() - started);
      return switch (outcome) {
        case PublishOutcome.Acked acked -> {
          metrics.publishLatency(latency, "acked");
          metrics.accepted(content.length);
          publisher.publishReceived(message, summary(message), trace);
          LOG.debugf("%s: queued from=<%s> nrcpt=%d size=%d client=[%s] at %s-%d@%d", queueId, tx.from().address(),
              tx.recipients().size(), content.length, message.clientAddress(), "sluice.submitted",
              acked.partition(), acked.offset());
          yield Replies.QUEUED.withText("Ok: queued as " + queueId);
        }
        case PublishOutcome.TimedOut t -> {
          metrics.publishLatency(latency, "timeout");
          metrics.rejected("publish-timeout");
          span.setStatus(StatusCode.ERROR, "publish timed out");
          LOG.warnf("%s: Kafka did not acknowledge within %d ms; answered 451, the client keeps the message"
              + " and will retry. Check broker health and sluice.ingress.publish-timeout", queueId, t.waitedMillis());
          yield Replies.PUBLISH_FAILED.withText(
              "Error: queue write timed out, message not accepted; please try again later");
        }
        case PublishOutcome.Failed f -> {
          metrics.publishLatency(latency, "failed");
          metrics.rejected("publish-failed");
          span.setStatus(StatusCode.ERROR, f.reason());
          LOG.warnf("%s: Kafka refused the message (%s); answered 451, the client keeps the message and will"
              + " retry", queueId, f.reason());
          yield Replies.PUBLISH_FAILED;
        }
      };
    } finally {
      span.end();
    }
  }

  /**
   * Each RECEIVED event carries the header section, once per recipient; capping it keeps a message
   * with huge headers and many recipients from flooding sluice.events (up to 1000 x 32 KiB).
   */
  static final int SUMMARY_HEADER_LIMIT = 32 * 1024;

  static MessageSummary summary(SubmittedMessage m) {
    HeaderSection headers = new HeaderSection(m.content());
    return new MessageSummary(m.reversePath(), m.envid(), m.ret(), headers.value("Message-ID"), m.content().length,
        m.receivedAt(), m.clientAddress(), headers.bytes(SUMMARY_HEADER_LIMIT));
  }
}
