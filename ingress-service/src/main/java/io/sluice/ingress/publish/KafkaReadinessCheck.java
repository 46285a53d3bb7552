package io.sluice.ingress.publish;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** /q/health/ready: ready while the broker answers (see {@link KafkaReadiness}). */
@Readiness
@ApplicationScoped
public class KafkaReadinessCheck implements HealthCheck {
  private final KafkaReadiness kafka;

  KafkaReadinessCheck(KafkaReadiness kafka) {
    this.kafka = kafka;
  }

  @Override
  public HealthCheckResponse call() {
    boolean up = kafka.isReady();
    return HealthCheckResponse.named("kafka").status(up).withData("detail", kafka.detail()).build();
  }
}
