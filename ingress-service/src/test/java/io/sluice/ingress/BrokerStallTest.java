package io.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.ingress.smtp.SmtpServer;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Contract 1 when the broker hangs: its process is stopped (SIGSTOP), so connections stay open but
 * nothing is answered. The end of data gets 451 4.3.0 after the publish timeout, the session lives
 * on, and once the broker is resumed (SIGCONT) mail is accepted again on the same session.
 */
@QuarkusTest
@TestProfile(BrokerStallTest.ShortPublishTimeout.class)
class BrokerStallTest {
  public static class ShortPublishTimeout implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("sluice.ingress.publish-timeout", "3s");
    }
  }

  @Inject
  SmtpServer server;

  private static String send(SmtpClient c, String subject) throws IOException {
    assertThat(c.command("MAIL FROM:<a@ok.test>")).startsWith("250");
    assertThat(c.command("RCPT TO:<b@ok.test>")).startsWith("250");
    assertThat(c.command("DATA")).startsWith("354");
    c.send("Subject: " + subject + "\r\n\r\nHi.\r\n.\r\n");
    return c.reply();
  }

  @Test
  void aStalledBrokerGets451AndTheSessionSurvives() throws Exception {
    long broker = brokerPid();
    try (SmtpClient c = new SmtpClient(server.port())) {
      assertThat(c.reply()).startsWith("220 ");
      c.command("EHLO client.test");
      assertThat(send(c, "before the stall")).startsWith("250 2.0.0"); // the producer is connected
      signal("STOP", broker);
      long started = System.nanoTime();
      String reply;
      try {
        reply = send(c, "during the stall");
      } finally {
        signal("CONT", broker);
      }
      long waited = Duration.ofNanos(System.nanoTime() - started).toMillis();
      assertThat(reply).startsWith("451 4.3.0");
      assertThat(waited).isBetween(2_500L, 15_000L);
      assertThat(c.command("NOOP")).startsWith("250");
      // Once the broker answers again, the same session is served: retry as a client would.
      String after = null;
      for (int i = 0; i < 10 && (after == null || !after.startsWith("250")); i++) {
        after = send(c, "after the stall");
      }
      assertThat(after).startsWith("250 2.0.0");
    }
  }

  private static void signal(String name, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
    assertThat(kill.waitFor()).as("kill -%s %d", name, pid).isZero();
  }

  /** The process listening on the bootstrap port: the test broker that deploy/local/kafka.sh started. */
  private static long brokerPid() throws IOException {
    String bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class).split(",")[0];
    int port = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
    String inode = listeningInode(port).orElseThrow(() -> new AssertionError("nothing listens on port " + port));
    String link = "socket:[" + inode + "]";
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
          if (fds.anyMatch(fd -> readLink(fd).equals(link))) {
            return Long.parseLong(proc.getFileName().toString());
          }
        } catch (IOException gone) {
          // the process ended, or is not ours to look into
        }
      }
    }
    throw new AssertionError("no process holds the socket listening on port " + port);
  }

  /** /proc/net/tcp{,6}: local address "IP:PORT" in hex, state 0A = LISTEN, inode in column 10. */
  private static Optional<String> listeningInode(int port) throws IOException {
    String hexPort = String.format(":%04X", port);
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      for (String line : Files.readAllLines(Path.of(table)).stream().skip(1).toList()) {
        String[] f = line.trim().split("\\s+");
        if (f[1].endsWith(hexPort) && f[3].equals("0A")) {
          return Optional.of(f[9]);
        }
      }
    }
    return Optional.empty();
  }

  private static String readLink(Path fd) {
    try {
      return Files.readSymbolicLink(fd).toString();
    } catch (IOException e) {
      return "";
    }
  }
}
