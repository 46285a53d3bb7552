package io.sluice.bounce.kafka;

import io.smallrye.common.annotation.Identifier;
import io.sluice.bounce.config.BounceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Client properties for the plain Kafka clients this service uses. */
@ApplicationScoped
public class KafkaSettings {
  /**
   * Topics allow 12 MiB records (ingress SIZE is 10 MiB plus envelope); a DSN with RET=FULL carries
   * the whole original, so the producer must accept the same size.
   */
  public static final int MAX_RECORD_BYTES = 12_582_912;

  @ConfigProperty(name = "kafka.bootstrap.servers", defaultValue = "localhost:9092")
  String bootstrapServers;

  @Inject BounceConfig config;

  /**
   * Every {@code kafka.*} setting as Quarkus collects it: e.g. {@code kafka.security.protocol},
   * {@code kafka.sasl.*} and {@code kafka.ssl.*} for a secured cluster (the Kubernetes manifests
   * use SCRAM over TLS). The settings this class puts on top (acks, idempotence, commits, sizes)
   * always win.
   */
  @Inject
  @Identifier("default-kafka-broker")
  Map<String, Object> kafkaConfig;

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Raw-bytes consumer with manual commits: offsets follow what has been persisted. */
  public Properties consumer() {
    Properties p = common("sluice-bounce-consumer");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.consumer().groupId());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, config.consumer().autoOffsetReset());
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(config.consumer().maxPollRecords()));
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // RET=FULL failure events carry the whole message: fetch records up to the topics' limit.
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MAX_RECORD_BYTES));
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  /** The producer that carries mail (DSNs) and dead letters: nothing it sends may be lost. */
  public Properties producer() {
    Properties p = common("sluice-bounce-producer");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(MAX_RECORD_BYTES));
    // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms.
    long delivery = Math.max(config.producer().sendTimeout().toMillis(), 5_000);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(delivery));
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.min(delivery - 5, 30_000)));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  /** For the readiness check. */
  public Properties admin() {
    Properties p = common("sluice-bounce-health");
    p.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(config.health().kafkaTimeout().toMillis()));
    p.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(config.health().kafkaTimeout().toMillis()));
    return p;
  }

  private Properties common(String clientId) {
    Properties p = new Properties();
    p.putAll(kafkaConfig);
    // Quarkus adds a default group id; only the consumer sets its own, from sluice.bounce.consumer.
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    // The resolved property wins over the map, which an environment variable may not have reached.
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
    return p;
  }
}
