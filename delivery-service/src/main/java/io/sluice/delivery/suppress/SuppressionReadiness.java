package io.sluice.delivery.suppress;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the suppression list has been read to the end (or when enforcement is off). */
@Readiness
@ApplicationScoped
public class SuppressionReadiness implements HealthCheck {
  @Inject SuppressionFollower follower;

  @Override
  public HealthCheckResponse call() {
    var response = HealthCheckResponse.named("suppression-list").withData("enabled", follower.enabled());
    if (!follower.enabled()) {
      return response.up().build();
    }
    return response.status(follower.view().isLoaded()).withData("addresses", follower.view().size()).build();
  }
}
