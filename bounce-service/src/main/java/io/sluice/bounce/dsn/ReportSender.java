package io.sluice.bounce.dsn;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.sluice.bounce.kafka.TraceHeaders;
import io.sluice.bounce.reinject.DsnPublisher;
import io.sluice.bounce.store.EventStore;
import io.sluice.bounce.store.TrackedMessage;
import io.sluice.schema.MessageSummary;
import io.sluice.schema.QueueIds;
import io.sluice.schema.Recipient;
import io.sluice.schema.Ret;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

/**
 * Composes a report, publishes it as a new submission and records it for tracking. Callers insert
 * and flush their bounce_report rows (carrying {@link #newQueueId()}) first, in the same
 * transaction, so that a replay finds them and sends nothing.
 */
@ApplicationScoped
public class ReportSender {
  private static final Logger LOG = Logger.getLogger(ReportSender.class);

  private final Clock clock = Clock.systemUTC();
  private final QueueIds queueIds = new QueueIds();
  private final DsnComposer composer = new DsnComposer();

  @Inject DsnPublisher publisher;
  @Inject EventStore store;
  @Inject ReportingMta reportingMta;
  @Inject TraceHeaders trace;

  public String newQueueId() {
    return queueIds.next();
  }

  public String reportingMta() {
    return reportingMta.name();
  }

  /**
   * Composes the DSN about {@code message}, publishes it and records it; the span continues {@code
   * parent}. Returns the broker's acknowledgement to come, which the caller awaits before commit.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public Future<RecordMetadata> send(String dsnQueueId, DsnAction action, TrackedMessage message, List<RecipientReport> blocks,
      Context parent) {
    return send(dsnQueueId, action, message, blocks, null, parent);
  }

  /**
   * @param originalContent the whole original message, returned as message/rfc822 when the sender
   *     asked for RET=FULL (RFC 3461 §4.3); null returns the headers only
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public Future<RecordMetadata> send(String dsnQueueId, DsnAction action, TrackedMessage message, List<RecipientReport> blocks,
      byte[] originalContent, Context parent) {
    Span span = trace.start("bounce.dsn." + action.field(), parent, SpanKind.PRODUCER);
    try {
      span.setAttribute("sluice.queue_id", message.queueId);
      span.setAttribute("sluice.dsn_queue_id", dsnQueueId);
      Instant now = clock.instant();
      String host = reportingMta.name();
      byte[] headers = message.headers == null ? new byte[0] : message.headers;
      DsnRequest request = new DsnRequest(action, host, message.sender, message.envid, message.receivedAt,
          message.messageId, headers, Ret.FULL.name().equals(message.ret) ? originalContent : null, blocks,
          dsnQueueId + "@" + host, now);
      byte[] dsn = composer.compose(request);
      Future<RecordMetadata> ack = publisher.publish(dsnQueueId, host, message.sender, dsn, now, span, parent);
      store.recordOwnSubmission(dsnQueueId,
          new MessageSummary("", null, Ret.HDRS, "<" + request.dsnMessageId() + ">", dsn.length, now, "127.0.0.1",
              headerSection(dsn)),
          Recipient.of(message.sender));
      LOG.infof("DSN %s (Action: %s) published to <%s> about %s, covering %d recipient(s)", dsnQueueId, action.field(),
          message.sender, message.queueId, blocks.size());
      return ack;
    } catch (RuntimeException e) {
      span.recordException(e);
      throw e;
    } finally {
      span.end();
    }
  }

  /** The header section of a message: everything up to and including the first empty line. */
  static byte[] headerSection(byte[] message) {
    String text = new String(message, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    return end < 0 ? message : text.substring(0, end + 4).getBytes(StandardCharsets.ISO_8859_1);
  }
}
