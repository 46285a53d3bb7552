package io.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.ingress.smtp.SmtpServer;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Shutdown drains: no new connections, idle sessions get 421 at once, a session inside a
 * transaction finishes it (and gets its 250) before it gets 421. Own profile, because the drained
 * server is not usable afterwards.
 */
@QuarkusTest
@TestProfile(GracefulShutdownTest.LongGrace.class)
class GracefulShutdownTest {
  public static class LongGrace implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("sluice.ingress.shutdown-grace", "20s");
    }
  }

  @Inject
  SmtpServer server;

  @TestHTTPResource("/q/health/ready")
  URI ready;

  /**
   * A connection attempt after the drain started is refused, or, if it slipped into the backlog while
   * the listening socket was closing, told 421 at once; it never gets a greeting.
   */
  private static String lateConnection(int port) {
    try (SmtpClient late = new SmtpClient(port)) {
      late.setTimeout(5000);
      String reply = late.reply();
      return reply == null ? "refused" : reply.substring(0, 3);
    } catch (IOException e) {
      return "refused";
    }
  }

  @Test
  void idleSessionsAreClosedAndTransactionsFinish() throws Exception {
    int port = server.port();
    try (SmtpClient idle = new SmtpClient(port); SmtpClient busy = new SmtpClient(port)) {
      idle.reply();
      idle.command("EHLO idle.test");
      busy.reply();
      busy.command("EHLO busy.test");
      assertThat(busy.command("MAIL FROM:<a@ok.test>")).startsWith("250");
      assertThat(busy.command("RCPT TO:<b@ok.test>")).startsWith("250");

      CompletableFuture<Void> drained = CompletableFuture.runAsync(server::drain);

      idle.setTimeout(5000);
      assertThat(idle.reply()).startsWith("421 4.3.2");
      assertThat(idle.closedByServer()).isTrue();
      assertThat(lateConnection(port)).isIn("refused", "421");
      assertThat(drained).isNotDone();
      HttpResponse<String> readiness = HttpClient.newHttpClient().send(HttpRequest.newBuilder(ready).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(readiness.statusCode()).isEqualTo(503); // load balancers stop sending clients here

      assertThat(busy.command("DATA")).startsWith("354");
      busy.send("Subject: finished during shutdown\r\n\r\nstill queued\r\n.\r\n");
      assertThat(busy.reply()).startsWith("250 2.0.0 Ok: queued as ");
      assertThat(busy.reply()).startsWith("421 4.3.2");
      drained.get(10, TimeUnit.SECONDS);
    }
  }
}
