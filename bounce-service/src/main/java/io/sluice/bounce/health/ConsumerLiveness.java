package io.sluice.bounce.health;

import io.sluice.bounce.consume.EventConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Live while the thread that consumes sluice.events runs; restart the service if it has died. */
@Liveness
@ApplicationScoped
public class ConsumerLiveness implements HealthCheck {
  @Inject EventConsumer consumer;

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("event-consumer").status(consumer.isAlive())
        .withData("assigned", consumer.hasAssignment()).build();
  }
}
