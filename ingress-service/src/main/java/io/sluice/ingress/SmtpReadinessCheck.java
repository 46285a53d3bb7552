package io.sluice.ingress;

import io.sluice.ingress.smtp.SmtpServer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** /q/health/ready: DOWN once shutdown has begun (draining), so load balancers stop sending clients. */
@Readiness
@ApplicationScoped
public class SmtpReadinessCheck implements HealthCheck {
  private final SmtpServer server;

  SmtpReadinessCheck(SmtpServer server) {
    this.server = server;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("smtp").status(server.accepting() && !server.draining())
        .withData("sessions", server.sessions()).build();
  }
}
