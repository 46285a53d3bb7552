package io.sluice.systemtest;

import io.sluice.schema.AvroCodec;
import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import io.sluice.schema.SubmittedMessage;
import io.sluice.schema.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a topic of the system tests' broker from the beginning until a matching record shows up. */
final class EventWatcher implements AutoCloseable {
  private final KafkaConsumer<String, byte[]> consumer;
  private final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

  private EventWatcher(String topic) {
    consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SluiceStack.BOOTSTRAP,
        ConsumerConfig.GROUP_ID_CONFIG, "system-test-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 12_582_912),
        new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
  }

  static EventWatcher events() {
    return new EventWatcher(Topics.EVENTS);
  }

  static EventWatcher submitted() {
    return new EventWatcher(Topics.SUBMITTED);
  }

  /** The first event of {@code type} for {@code queueId}, waiting up to {@code timeout}. */
  DeliveryEvent awaitEvent(String queueId, EventType type, Duration timeout) {
    AvroCodec<DeliveryEvent> codec = AvroCodec.deliveryEvents();
    return await(r -> r.key().equals(queueId) && codec.decode(r.value()).type() == type, timeout,
        type + " event for " + queueId)
        .map(r -> codec.decode(r.value()));
  }

  /** The first submitted message matching {@code test}, waiting up to {@code timeout}. */
  SubmittedMessage awaitMessage(Predicate<SubmittedMessage> test, Duration timeout, String what) {
    AvroCodec<SubmittedMessage> codec = AvroCodec.submittedMessages();
    return await(r -> test.test(codec.decode(r.value())), timeout, what).map(r -> codec.decode(r.value()));
  }

  /** Every event seen so far for {@code queueId}. */
  List<DeliveryEvent> eventsFor(String queueId) {
    AvroCodec<DeliveryEvent> codec = AvroCodec.deliveryEvents();
    return seen.stream().filter(r -> r.key().equals(queueId)).map(r -> codec.decode(r.value())).toList();
  }

  private Found await(Predicate<ConsumerRecord<String, byte[]>> test, Duration timeout, String what) {
    for (ConsumerRecord<String, byte[]> r : seen) {
      if (test.test(r)) {
        return new Found(r);
      }
    }
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      // Keep the whole batch before looking: a later await may want a record behind the match.
      List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
      consumer.poll(Duration.ofMillis(500)).forEach(batch::add);
      seen.addAll(batch);
      for (ConsumerRecord<String, byte[]> r : batch) {
        if (test.test(r)) {
          return new Found(r);
        }
      }
    }
    throw new AssertionError("no " + what + " within " + timeout + "; saw " + seen.size() + " records");
  }

  private record Found(ConsumerRecord<String, byte[]> record) {
    <T> T map(java.util.function.Function<ConsumerRecord<String, byte[]>, T> f) {
      return f.apply(record);
    }
  }

  @Override
  public void close() {
    consumer.close();
  }
}
