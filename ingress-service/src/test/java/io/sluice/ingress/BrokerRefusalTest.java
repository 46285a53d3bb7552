package io.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.ingress.smtp.SmtpServer;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Contract 1 when the broker says no: with the SIZE limit (wrongly) set above what a Kafka record can
 * hold, a message that passes SMTP but not the producer gets 451 4.3.0, never 250.
 */
@QuarkusTest
@TestProfile(BrokerRefusalTest.SizeAboveKafka.class)
class BrokerRefusalTest {
  public static class SizeAboveKafka implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("sluice.ingress.max-message-size", "20971520");
    }
  }

  @Inject
  SmtpServer server;

  @Test
  void aMessageTheBrokerCannotTakeGets451() throws Exception {
    try (SmtpClient c = new SmtpClient(server.port())) {
      c.reply();
      c.command("EHLO client.test");
      c.command("MAIL FROM:<a@ok.test>");
      c.command("RCPT TO:<b@ok.test>");
      assertThat(c.command("DATA")).startsWith("354");
      c.send("Subject: too big for a record\r\n\r\n");
      // Random-looking lines so that zstd cannot shrink the record below the limit.
      java.util.Random random = new java.util.Random(7);
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < 13_500; i++) {
        line.setLength(0);
        for (int j = 0; j < 998; j++) {
          line.append((char) ('!' + random.nextInt(90)));
        }
        if (line.charAt(0) == '.') {
          line.setCharAt(0, 'x');
        }
        c.send((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
      }
      c.send(".\r\n");
      assertThat(c.reply()).startsWith("451 4.3.0");
      assertThat(c.command("NOOP")).startsWith("250");
    }
  }
}
