package io.sluice.ingress;

import io.sluice.ingress.smtp.SmtpServer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** /q/health/live: the SMTP listener is open and its accept thread is running. */
@Liveness
@ApplicationScoped
public class SmtpLivenessCheck implements HealthCheck {
  private final SmtpServer server;

  SmtpLivenessCheck(SmtpServer server) {
    this.server = server;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("smtp-listener").status(server.accepting())
        .withData("port", server.port()).withData("sessions", server.sessions()).build();
  }
}
