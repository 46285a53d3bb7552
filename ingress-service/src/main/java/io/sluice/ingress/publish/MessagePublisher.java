package io.sluice.ingress.publish;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.sluice.ingress.IngressConfig;
import io.sluice.schema.AvroCodec;
import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.MessageSummary;
import io.sluice.schema.Recipient;
import io.sluice.schema.SubmittedMessage;
import io.sluice.schema.Topics;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Writes accepted mail to Kafka. The session calls {@link #publish} after the end of data and only
 * replies 250 when it returns {@link PublishOutcome.Acked}: the broker holds the record with
 * {@code acks=all} (DESIGN contract 1). Then {@link #publishReceived} emits one RECEIVED event per
 * recipient.
 *
 * <p>Thread-safe; blocking calls are made from the sessions' virtual threads.
 */
@ApplicationScoped
public class MessagePublisher {
  private static final Logger LOG = Logger.getLogger(MessagePublisher.class);
  /** Equal to the topics' max.message.bytes; the 10 MiB SIZE limit plus envelope fits inside. */
  static final int MAX_REQUEST_SIZE = 12_582_912;

  private static final TextMapSetter<Headers> HEADER_SETTER =
      (headers, key, value) -> headers.remove(key).add(key, value.getBytes(StandardCharsets.UTF_8));

  /** How long send() may take before the wait for the ack is cut to what is left of the publish timeout. */
  static final long SEND_WAIT_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  /** Events are informational and need no reply; they may wait this long to share a batch. */
  static final int EVENTS_LINGER_MS = 20;

  /** Carries sluice.submitted; its latency is the client's wait for 250. */
  private final KafkaProducer<String, byte[]> producer;
  /** Carries the RECEIVED events, batched on their own so they never sit in the messages' requests. */
  private final KafkaProducer<String, byte[]> eventsProducer;
  private final AvroCodec<SubmittedMessage> messages = AvroCodec.submittedMessages();
  private final AvroCodec<DeliveryEvent> events = AvroCodec.deliveryEvents();
  private final Duration timeout;

  MessagePublisher(KafkaClientConfig kafka, IngressConfig config) {
    this.timeout = config.publishTimeout();
    Map<String, Object> c = kafka.common();
    c.putAll(producerConfig(config));
    this.producer = new KafkaProducer<>(c, new StringSerializer(), new ByteArraySerializer());
    Map<String, Object> e = kafka.common();
    e.putAll(eventsProducerConfig(config));
    this.eventsProducer = new KafkaProducer<>(e, new StringSerializer(), new ByteArraySerializer());
  }

  /** What contract 1 and the size limits need; these override anything from {@code kafka.*}. */
  static Map<String, Object> producerConfig(IngressConfig config) {
    long timeoutMs = config.publishTimeout().toMillis();
    int lingerMs = (int) config.publishLinger().toMillis();
    // delivery.timeout.ms bounds the producer's own retries close to our wait, so that a record we
    // answered 451 for is rarely written afterwards. Kafka requires delivery >= linger + request.
    int requestTimeoutMs = (int) Math.max(1000, timeoutMs / 2);
    long deliveryTimeoutMs = Math.max(timeoutMs, requestTimeoutMs + lingerMs);
    Map<String, Object> c = new HashMap<>();
    c.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-ingress");
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    c.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
    c.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_SIZE);
    c.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
    c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeoutMs);
    c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) deliveryTimeoutMs);
    // When the buffer is full, send() blocks: that is the back-pressure on SMTP clients.
    c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
    c.put(ProducerConfig.BUFFER_MEMORY_CONFIG, config.producerBufferMemory());
    // Every submitted record has a key of its own (the queue id) and nothing reads them in key
    // order, so hashing the key only spreads each request over all partitions: one small zstd batch
    // per partition. The sticky partitioner fills one batch at a time instead; measured on the
    // ingress benchmark it cut ingress and broker CPU per message (see docs/benchmarks.md).
    c.put(ProducerConfig.PARTITIONER_IGNORE_KEYS_CONFIG, true);
    return c;
  }

  /**
   * The RECEIVED events: as safe as the messages (acks=all, idempotent), but nobody waits for
   * them, so they linger to fill batches and keep key partitioning (all events of one queue id stay
   * in one partition, in order).
   */
  static Map<String, Object> eventsProducerConfig(IngressConfig config) {
    Map<String, Object> c = producerConfig(config);
    c.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-ingress-events");
    c.put(ProducerConfig.LINGER_MS_CONFIG, EVENTS_LINGER_MS);
    c.put(ProducerConfig.PARTITIONER_IGNORE_KEYS_CONFIG, false);
    int requestTimeoutMs = (Integer) c.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG);
    c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
        Math.max((Integer) c.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG), requestTimeoutMs + EVENTS_LINGER_MS));
    return c;
  }

  /**
   * Publishes the message and waits for the broker's acknowledgement, at most the publish timeout.
   *
   * @param trace the transaction's span context, written as W3C traceparent/tracestate headers
   */
  public PublishOutcome publish(SubmittedMessage message, Context trace) {
    long started = System.nanoTime();
    ProducerRecord<String, byte[]> record;
    try {
      record = new ProducerRecord<>(Topics.SUBMITTED, message.queueId(), messages.encode(message));
    } catch (RuntimeException e) {
      LOG.errorf(e, "Cannot encode message %s; it was not queued and the client gets 451", message.queueId());
      return new PublishOutcome.Failed("cannot encode record: " + e.getMessage());
    }
    W3CTraceContextPropagator.getInstance().inject(trace, record.headers(), HEADER_SETTER);
    try {
      Future<RecordMetadata> sent = producer.send(record);
      long afterSend = System.nanoTime() - started;
      // The producer completes the future within delivery.timeout.ms (the publish timeout) of send()
      // returning, so when send() did not wait, an untimed get keeps the bound: on a virtual thread a
      // timed wait would cost the JDK's timer thread two wake-ups per message. When send() waited
      // (buffer full, metadata), only what is left of the publish timeout is waited.
      RecordMetadata meta = afterSend < SEND_WAIT_SLACK_NANOS
          ? sent.get()
          : sent.get(Math.max(timeout.toNanos() - afterSend, 0), TimeUnit.NANOSECONDS);
      return new PublishOutcome.Acked(message.queueId(), meta.partition(), meta.offset());
    } catch (TimeoutException e) {
      return new PublishOutcome.TimedOut(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
        return new PublishOutcome.TimedOut(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      }
      return new PublishOutcome.Failed(cause.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new PublishOutcome.Failed("interrupted while waiting for the broker");
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      // send() itself waited max.block.ms for metadata or buffer space.
      return new PublishOutcome.TimedOut(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    } catch (RuntimeException e) {
      return new PublishOutcome.Failed(e.toString());
    }
  }

  /**
   * Emits one RECEIVED event per recipient, after the message itself was acknowledged. Does not
   * wait: the events are informational (tracking), the message is already safe.
   */
  public void publishReceived(SubmittedMessage message, MessageSummary summary, Context trace) {
    for (Recipient recipient : message.recipients()) {
      DeliveryEvent event = DeliveryEvent.received(message.queueId(), recipient, message.receivedAt(), summary);
      ProducerRecord<String, byte[]> record;
      try {
        record = new ProducerRecord<>(Topics.EVENTS, message.queueId(), events.encode(event));
      } catch (RuntimeException e) {
        LOG.errorf(e, "Cannot encode the RECEIVED event of %s for %s; the message itself is queued",
            message.queueId(), recipient.address());
        continue;
      }
      W3CTraceContextPropagator.getInstance().inject(trace, record.headers(), HEADER_SETTER);
      try {
        eventsProducer.send(record, (meta, error) -> {
          if (error != null) {
            LOG.warnf("RECEIVED event of %s for %s was not written (%s); the message itself is queued"
                + " and will be delivered, only its tracking lacks this event", message.queueId(),
                recipient.address(), error.toString());
          }
        });
      } catch (RuntimeException e) {
        LOG.warnf("RECEIVED event of %s for %s was not written (%s); the message itself is queued",
            message.queueId(), recipient.address(), e.toString());
      }
    }
  }

  @PreDestroy
  void close() {
    // Sessions have drained by now (SmtpServer observes ShutdownEvent first); flush what is left.
    producer.close(Duration.ofSeconds(10));
    eventsProducer.close(Duration.ofSeconds(10));
  }
}
