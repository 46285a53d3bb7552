package io.sluice.ingress;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Reads back what a test produced: assigns every partition of a topic, starts at the records written
 * since {@code since}, and returns the first record whose key matches. The broker is shared with
 * other modules' tests, hence the unique group id and the filter by queue id.
 */
public final class KafkaRecords {
  private KafkaRecords() {}

  public static ConsumerRecord<String, byte[]> await(String topic, Instant since, Predicate<ConsumerRecord<String, byte[]>> match,
      Duration timeout) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
        ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "ingress-test-" + UUID.randomUUID());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 12_582_912);
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 52_428_800);
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(info -> new TopicPartition(topic, info.partition())).toList();
      consumer.assign(partitions);
      Map<TopicPartition, Long> times = new HashMap<>();
      partitions.forEach(tp -> times.put(tp, since.minusSeconds(5).toEpochMilli()));
      Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(times);
      for (TopicPartition tp : partitions) {
        OffsetAndTimestamp o = offsets.get(tp);
        if (o == null) {
          consumer.seekToEnd(List.of(tp));
        } else {
          consumer.seek(tp, o.offset());
        }
      }
      Instant deadline = Instant.now().plus(timeout);
      while (Instant.now().isBefore(deadline)) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (match.test(r)) {
            return r;
          }
        }
      }
      throw new AssertionError("no matching record on " + topic + " within " + timeout);
    }
  }
}
