package io.sluice.bounce.consume;

import io.sluice.bounce.kafka.RecordProducer;
import io.sluice.schema.KafkaHeaders;
import io.sluice.schema.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.jboss.logging.Logger;

/** Moves a record that cannot be read or processed to sluice.dead, whole: key, value and headers. */
@ApplicationScoped
public class DeadLetters {
  private static final Logger LOG = Logger.getLogger(DeadLetters.class);

  @Inject RecordProducer producer;
  @Inject BounceMetrics metrics;

  /** Returns once the broker has acknowledged the dead letter. */
  public void send(ConsumerRecord<byte[], byte[]> record, String reason) {
    ProducerRecord<byte[], byte[]> dead = new ProducerRecord<>(Topics.DEAD, record.key(), record.value());
    for (Header h : record.headers()) {
      if (!h.key().equals(KafkaHeaders.DEAD_SOURCE_TOPIC) && !h.key().equals(KafkaHeaders.DEAD_REASON)) {
        dead.headers().add(h);
      }
    }
    dead.headers().add(KafkaHeaders.DEAD_SOURCE_TOPIC, record.topic().getBytes(StandardCharsets.UTF_8));
    String shortReason = reason == null ? "unknown" : reason.length() > 1000 ? reason.substring(0, 1000) : reason;
    dead.headers().add(KafkaHeaders.DEAD_REASON, shortReason.getBytes(StandardCharsets.UTF_8));
    producer.sendAndAwait(dead);
    metrics.deadLettered();
    LOG.warnf("moved %s-%d@%d to %s: %s. The record is kept there byte for byte; fix or replay it from there.",
        record.topic(), record.partition(), record.offset(), Topics.DEAD, shortReason);
  }
}
