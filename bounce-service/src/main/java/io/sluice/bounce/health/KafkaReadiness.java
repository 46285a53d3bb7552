package io.sluice.bounce.health;

import io.sluice.bounce.config.BounceConfig;
import io.sluice.bounce.kafka.KafkaSettings;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the broker answers: describeCluster with a short timeout, the answer reused for a
 * few seconds so that frequent probes do not load the broker. (The datasource check comes from
 * Quarkus.)
 */
@Readiness
@ApplicationScoped
public class KafkaReadiness implements HealthCheck {
  @Inject KafkaSettings settings;
  @Inject BounceConfig config;

  private Admin admin;
  private Instant checkedAt = Instant.EPOCH;
  private HealthCheckResponse last;

  @Override
  public synchronized HealthCheckResponse call() {
    Instant now = Instant.now();
    if (last != null && now.isBefore(checkedAt.plus(config.health().kafkaCacheFor()))) {
      return last;
    }
    long timeout = config.health().kafkaTimeout().toMillis();
    try {
      if (admin == null) {
        admin = Admin.create(settings.admin());
      }
      var cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout));
      int nodes = cluster.nodes().get(timeout, TimeUnit.MILLISECONDS).size();
      String id = cluster.clusterId().get(timeout, TimeUnit.MILLISECONDS);
      last = HealthCheckResponse.named("kafka").up()
          .withData("bootstrap", settings.bootstrapServers()).withData("cluster", id).withData("nodes", nodes).build();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      last = HealthCheckResponse.named("kafka").down()
          .withData("bootstrap", settings.bootstrapServers()).withData("error", String.valueOf(e)).build();
    }
    checkedAt = now;
    return last;
  }

  @PreDestroy
  synchronized void close() {
    if (admin != null) {
      admin.close(java.time.Duration.ofSeconds(2));
    }
  }
}
