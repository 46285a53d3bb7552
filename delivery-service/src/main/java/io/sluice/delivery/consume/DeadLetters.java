package io.sluice.delivery.consume;

import io.sluice.delivery.outcome.RecordPublisher;
import io.sluice.delivery.telemetry.DeliveryMetrics;
import io.sluice.schema.KafkaHeaders;
import io.sluice.schema.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.jboss.logging.Logger;

/** Moves a record that cannot be read to sluice.dead, whole, with where it came from and why. */
@ApplicationScoped
public class DeadLetters {
  private static final Logger LOG = Logger.getLogger(DeadLetters.class);

  private final RecordPublisher publisher;
  private final DeliveryMetrics metrics;

  @Inject
  public DeadLetters(RecordPublisher publisher, DeliveryMetrics metrics) {
    this.publisher = publisher;
    this.metrics = metrics;
  }

  public CompletableFuture<Void> send(ConsumerRecord<String, byte[]> record, String reason) {
    ProducerRecord<String, byte[]> dead = new ProducerRecord<>(Topics.DEAD, record.key(), record.value());
    for (Header h : record.headers()) {
      dead.headers().add(h);
    }
    dead.headers().add(KafkaHeaders.DEAD_SOURCE_TOPIC, record.topic().getBytes(StandardCharsets.UTF_8));
    dead.headers().add(KafkaHeaders.DEAD_REASON, reason.getBytes(StandardCharsets.UTF_8));
    LOG.errorf("Unreadable record %s-%d@%d (key %s) moved whole to %s: %s. Nothing was delivered for it; inspect it "
        + "there and re-publish it once fixed.", record.topic(), record.partition(), record.offset(), record.key(),
        Topics.DEAD, reason);
    metrics.deadLettered(record.topic());
    return publisher.send(dead).thenApply(m -> null);
  }
}
