package io.sluice.bounce.reinject;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.sluice.bounce.kafka.RecordProducer;
import io.sluice.bounce.kafka.TraceHeaders;
import io.sluice.schema.AvroCodec;
import io.sluice.schema.Recipient;
import io.sluice.schema.SubmittedMessage;
import io.sluice.schema.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Hands a DSN to delivery as a new submission on sluice.submitted: null reverse-path (RFC 5321
 * §4.5.5, so it can never bounce back), one recipient, the original envelope sender. From there it
 * is mail like any other.
 */
@ApplicationScoped
public class DsnPublisher {
  private static final AvroCodec<SubmittedMessage> CODEC = AvroCodec.submittedMessages();

  @Inject RecordProducer producer;
  @Inject TraceHeaders trace;

  /**
   * Publishes without waiting: the caller must {@link RecordProducer#awaitAll} the returned
   * acknowledgement before its transaction commits.
   *
   * @param span the span of the report; its context goes into the record's trace headers
   * @return the broker's acknowledgement (acks=all) to come
   */
  public Future<RecordMetadata> publish(
      String dsnQueueId, String reportingMta, String originalSender, byte[] dsn, Instant now, Span span, Context parent) {
    SubmittedMessage message = SubmittedMessage.accepted(
        dsnQueueId, now, "127.0.0.1", reportingMta, SubmittedMessage.NULL_SENDER, null, null, false,
        List.of(Recipient.of(originalSender)), dsn);
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
        Topics.SUBMITTED, dsnQueueId.getBytes(StandardCharsets.US_ASCII), CODEC.encode(message));
    trace.inject(span, parent, record.headers());
    return producer.send(record);
  }
}
