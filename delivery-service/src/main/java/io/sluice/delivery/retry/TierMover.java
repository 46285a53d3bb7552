package io.sluice.delivery.retry;

import io.sluice.delivery.outcome.RecordPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Moves a record whose wait in one tier is over, but whose not-before time is still ahead, to the
 * tier that fits the rest of its wait ({@link TierRelease}). The bytes and headers (the trace
 * context) go unchanged; the source offset is committed only after the broker took the copy.
 */
@ApplicationScoped
public class TierMover {
  private final RecordPublisher publisher;

  @Inject
  public TierMover(RecordPublisher publisher) {
    this.publisher = publisher;
  }

  public CompletableFuture<Void> move(ConsumerRecord<String, byte[]> record, Tiers.Tier to) {
    ProducerRecord<String, byte[]> copy = new ProducerRecord<>(to.topic(), record.key(), record.value());
    for (Header h : record.headers()) {
      copy.headers().add(h);
    }
    return publisher.send(copy).thenApply(m -> null);
  }
}
