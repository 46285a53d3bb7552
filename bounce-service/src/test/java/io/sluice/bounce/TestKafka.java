package io.sluice.bounce;

import io.sluice.schema.AvroCodec;
import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.ConfigProvider;

/** Plain Kafka clients for tests: feed sluice.events, watch sluice.submitted and sluice.dead. */
public final class TestKafka implements AutoCloseable {
  public static final AvroCodec<DeliveryEvent> EVENTS = AvroCodec.deliveryEvents();

  private final String bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
  private final KafkaProducer<byte[], byte[]> producer;
  private final Admin admin;

  public TestKafka() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    producer = new KafkaProducer<>(p);
    admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
  }

  public RecordMetadata send(DeliveryEvent event, String traceparent) throws Exception {
    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(Topics.EVENTS,
        event.queueId().getBytes(StandardCharsets.US_ASCII), EVENTS.encode(event));
    if (traceparent != null) {
      r.headers().add(new RecordHeader("traceparent", traceparent.getBytes(StandardCharsets.US_ASCII)));
    }
    return producer.send(r).get(30, TimeUnit.SECONDS);
  }

  public RecordMetadata sendRaw(String topic, byte[] key, byte[] value) throws Exception {
    return producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
  }

  /** Waits until {@code group} has committed past every given record. */
  public void awaitCommitted(String group, List<RecordMetadata> sent, Duration timeout) throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      boolean all = sent.stream().allMatch(m -> {
        OffsetAndMetadata o = committed.get(new TopicPartition(m.topic(), m.partition()));
        return o != null && o.offset() > m.offset();
      });
      if (all) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("group " + group + " did not commit past " + sent + " within " + timeout);
  }

  /** Waits until the service's consumer has its partitions of sluice.events (tests start at the end). */
  public static void awaitAssigned(io.sluice.bounce.consume.EventConsumer consumer, Duration timeout)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (!consumer.hasAssignment()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("consumer not assigned to sluice.events within " + timeout);
      }
      Thread.sleep(100);
    }
  }

  /** A consumer of every partition of {@code topic}, positioned at the current end. */
  public Watcher watch(String topic) {
    return new Watcher(topic);
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
    admin.close(Duration.ofSeconds(5));
  }

  /** Reads a topic from the point it was opened, keeping what it has seen. */
  public final class Watcher implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();

    Watcher(String topic) {
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ConsumerConfig.GROUP_ID_CONFIG, "bounce-test-watch-" + UUID.randomUUID());
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "12582912");
      p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, "52428800");
      p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      consumer = new KafkaConsumer<>(p);
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);
    }

    /** Every record seen so far (after polling for {@code wait}) that matches. */
    public List<ConsumerRecord<byte[], byte[]>> matching(Predicate<ConsumerRecord<byte[], byte[]>> test, Duration wait) {
      Instant deadline = Instant.now().plus(wait);
      do {
        consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
      } while (Instant.now().isBefore(deadline));
      return seen.stream().filter(test).toList();
    }

    /** The first record that matches, waiting up to {@code timeout}. */
    public ConsumerRecord<byte[], byte[]> await(Predicate<ConsumerRecord<byte[], byte[]>> test, Duration timeout) {
      Instant deadline = Instant.now().plus(timeout);
      while (true) {
        for (ConsumerRecord<byte[], byte[]> r : seen) {
          if (test.test(r)) {
            return r;
          }
        }
        if (Instant.now().isAfter(deadline)) {
          throw new AssertionError("no matching record within " + timeout);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
      }
    }

    @Override
    public void close() {
      consumer.close(Duration.ofSeconds(5));
    }
  }
}
