package io.sluice.delivery.kafka;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The {@code kafka.*} configuration as Quarkus collects it (bootstrap servers, and for a secured
 * cluster {@code kafka.security.protocol}, {@code kafka.sasl.*}, {@code kafka.ssl.*}: the
 * Kubernetes manifests use SCRAM over TLS), as the base of every Kafka client this service creates.
 * Each client puts the settings contracts 1 and 2 rely on (acks, idempotence, manual commits,
 * sizes) on top, so they cannot be overridden here.
 */
@ApplicationScoped
public class KafkaClientSettings {
  private final Map<String, Object> common;

  @Inject
  public KafkaClientSettings(@Identifier("default-kafka-broker") Map<String, Object> quarkusKafka,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
    Map<String, Object> c = new HashMap<>(quarkusKafka);
    // Quarkus adds a default group id; the consumer sets its own from sluice.delivery.consumer.
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    // The resolved property wins: an environment variable may not have reached the map.
    c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    this.common = Map.copyOf(c);
  }

  /** Settings for a client that only needs the bootstrap servers (tests). */
  public static KafkaClientSettings of(String bootstrap) {
    return new KafkaClientSettings(Map.of(), bootstrap);
  }

  /** A fresh, mutable copy for one client. */
  public Map<String, Object> common() {
    return new HashMap<>(common);
  }
}
