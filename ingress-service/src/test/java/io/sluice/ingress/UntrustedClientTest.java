package io.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.ingress.smtp.SmtpServer;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With loopback not trusted, the test client is a stranger: no relaying, a per-client connection cap. */
@QuarkusTest
@TestProfile(UntrustedClientTest.Strangers.class)
class UntrustedClientTest {
  public static class Strangers implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("sluice.ingress.trusted-networks", "192.0.2.0/24", "sluice.ingress.max-connections-per-client", "3");
    }
  }

  @Inject
  SmtpServer server;

  @Test
  void strangersCannotRelay() throws Exception {
    try (SmtpClient c = new SmtpClient(server.port())) {
      c.reply();
      c.command("EHLO client.test");
      assertThat(c.command("MAIL FROM:<a@ok.test>")).startsWith("250");
      assertThat(c.command("RCPT TO:<b@ok.test>")).isEqualTo("554 5.7.1 Relay access denied");
      assertThat(c.command("DATA")).startsWith("554 5.5.1");
    }
  }

  @Test
  void connectionsPerClientAreCapped() throws Exception {
    List<SmtpClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        SmtpClient c = new SmtpClient(server.port());
        open.add(c);
        assertThat(c.reply()).startsWith("220 ");
      }
      try (SmtpClient fourth = new SmtpClient(server.port())) {
        assertThat(fourth.reply()).startsWith("421 4.7.0");
      }
    } finally {
      for (SmtpClient c : open) {
        c.close();
      }
    }
  }
}
