package io.sluice.delivery.health;

import io.sluice.delivery.kafka.KafkaClientSettings;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the Kafka cluster answers {@code describeCluster} within 3 s; cached for 5 s. */
@Readiness
@ApplicationScoped
public class KafkaReadiness implements HealthCheck {
  private static final Duration CACHE = Duration.ofSeconds(5);

  private final Admin admin;
  private volatile HealthCheckResponse last;
  private volatile Instant lastAt = Instant.EPOCH;

  @Inject
  public KafkaReadiness(KafkaClientSettings kafka) {
    Map<String, Object> p = kafka.common();
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "sluice-delivery-health");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
    this.admin = Admin.create(p);
  }

  @Override
  public synchronized HealthCheckResponse call() {
    Instant now = Instant.now();
    if (last != null && Duration.between(lastAt, now).compareTo(CACHE) < 0) {
      return last;
    }
    HealthCheckResponse response;
    try {
      String clusterId = admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000)).clusterId()
          .get(3, TimeUnit.SECONDS);
      response = HealthCheckResponse.named("kafka").up().withData("clusterId", String.valueOf(clusterId)).build();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      response = HealthCheckResponse.named("kafka").down().withData("error", String.valueOf(e)).build();
    }
    last = response;
    lastAt = now;
    return response;
  }

  @PreDestroy
  void close() {
    admin.close(Duration.ofSeconds(2));
  }
}
