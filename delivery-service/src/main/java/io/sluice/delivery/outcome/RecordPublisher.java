package io.sluice.delivery.outcome;

import io.sluice.delivery.DeliveryConfig;
import io.sluice.delivery.kafka.KafkaClientSettings;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * The one producer of delivery-service: events, deferred records and dead letters. It carries mail,
 * so it waits for every in-sync replica ({@code acks=all}) and is idempotent; a send completes only
 * when the broker has the record (contract 2 relies on that).
 */
@Singleton // no client proxy to resolve on every call: it is called for every message
public class RecordPublisher {
  private static final Logger LOG = Logger.getLogger(RecordPublisher.class);

  /** Topics accept 12 MiB records; ingress's SIZE limit (10 MiB) plus envelope fits. */
  public static final int MAX_RECORD_BYTES = 12_582_912;

  private final KafkaProducer<String, byte[]> producer;

  @Inject
  public RecordPublisher(KafkaClientSettings kafka, DeliveryConfig config) {
    this.producer = new KafkaProducer<>(properties(kafka, config.producer().linger()), new StringSerializer(),
        new ByteArraySerializer());
  }

  public static Map<String, Object> properties(KafkaClientSettings kafka, Duration linger) {
    Map<String, Object> p = kafka.common();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_RECORD_BYTES);
    // Each batch opens its own zstd stream and is a broker append of its own, which costs more CPU
    // than the few hundred bytes of an event; a paused destination's deferrals come at the healthy
    // rate, so the linger decides how many share a batch. It delays only the commit of a record, not
    // the SMTP connection it used, which is already free again.
    p.put(ProducerConfig.LINGER_MS_CONFIG, (int) linger.toMillis());
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-delivery-producer");
    return p;
  }

  /** Completes when the broker acknowledged the record, exceptionally when it could not. */
  public CompletableFuture<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
    CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
    try {
      producer.send(record, (metadata, error) -> {
        if (error != null) {
          future.completeExceptionally(error);
        } else {
          future.complete(metadata);
        }
      });
    } catch (RuntimeException e) {
      future.completeExceptionally(e);
    }
    return future;
  }

  @PreDestroy
  void close() {
    LOG.info("Closing the Kafka producer (waiting up to 10 s for unsent records)");
    producer.close(Duration.ofSeconds(10));
  }
}
