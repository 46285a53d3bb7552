package io.sluice.ingress.publish;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code kafka.*} configuration (bootstrap servers, and e.g. {@code kafka.security.protocol},
 * {@code kafka.sasl.*}, {@code kafka.ssl.*} for a secured cluster) as Quarkus collects it, for the
 * plain Kafka clients ingress creates. Settings that carry mail safely (acks, idempotence, sizes) are
 * set by {@link MessagePublisher} on top and cannot be overridden here.
 */
@ApplicationScoped
public class KafkaClientConfig {
  /** Consumer-only keys Quarkus adds by default; a producer or admin client would warn about them. */
  private static final Set<String> NOT_FOR_PRODUCERS = Set.of("group.id");

  private final Map<String, Object> common;

  @Inject
  KafkaClientConfig(@Identifier("default-kafka-broker") Map<String, Object> quarkusKafka,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
    Map<String, Object> c = new HashMap<>(quarkusKafka);
    NOT_FOR_PRODUCERS.forEach(c::remove);
    // The map is built from property names, and an environment variable (KAFKA_BOOTSTRAP_SERVERS)
    // can win over a higher-ordinal setting there; the resolved property is the one to trust.
    c.put("bootstrap.servers", bootstrap);
    this.common = Map.copyOf(c);
  }

  /** A fresh, mutable copy for one client. */
  public Map<String, Object> common() {
    return new HashMap<>(common);
  }
}
