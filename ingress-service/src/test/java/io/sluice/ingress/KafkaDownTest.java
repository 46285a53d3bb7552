package io.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.ingress.smtp.SmtpServer;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With no broker reachable: readiness is DOWN and new sessions get 421 instead of a greeting. */
@QuarkusTest
@TestProfile(KafkaDownTest.NoBroker.class)
class KafkaDownTest {
  public static class NoBroker implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      // Port 9 (discard) is closed on the test machines: connections are refused at once.
      return Map.of("kafka.bootstrap.servers", "127.0.0.1:9", "sluice.ingress.publish-timeout", "3s");
    }
  }

  @Inject
  SmtpServer server;

  @TestHTTPResource("/q/health/ready")
  URI ready;

  @Test
  void newSessionsAreTurnedAwayWith421() throws Exception {
    try (SmtpClient c = new SmtpClient(server.port())) {
      assertThat(c.reply()).startsWith("421 4.3.0");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void readinessIsDown() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(ready).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("DOWN");
  }
}
