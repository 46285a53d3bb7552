package io.sluice.delivery.health;

import io.sluice.delivery.consume.DeliveryConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Alive while the consumer thread runs; when it died, a restart is the cure. */
@Liveness
@ApplicationScoped
public class ConsumerLiveness implements HealthCheck {
  private final DeliveryConsumer consumer;

  @Inject
  public ConsumerLiveness(DeliveryConsumer consumer) {
    this.consumer = consumer;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("delivery-consumer").status(consumer.isAlive())
        .withData("partitions", consumer.assignment().size()).build();
  }
}
