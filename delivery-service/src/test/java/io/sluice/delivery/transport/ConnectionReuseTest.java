package io.sluice.delivery.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.delivery.route.TargetHost;
import io.sluice.schema.Recipient;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pooled sessions: RSET between transactions, a cap per connection, an idle timeout. */
class ConnectionReuseTest {
  private static final byte[] MESSAGE = "Subject: reuse\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);

  private static Envelope envelope(String rcpt) {
    return new Envelope("a@src.test", List.of(Recipient.of(rcpt)), null, null, false, MESSAGE);
  }

  private static TargetHost host(TestSmtpServer server) {
    return new TargetHost("mx.test", List.of(InetAddress.getLoopbackAddress()), server.port());
  }

  private static SmtpClient client(ConnectionPool pool) {
    return new SmtpClient("client.test", SmtpTimeouts.uniform(Duration.ofSeconds(5)), pool);
  }

  @Test
  void transactionsShareAConnectionWithRsetBetweenThem() throws Exception {
    try (TestSmtpServer server = new TestSmtpServer();
        ConnectionPool pool = new ConnectionPool(Duration.ofSeconds(5), 100, Duration.ofSeconds(1))) {
      SmtpClient client = client(pool);
      for (int i = 0; i < 3; i++) {
        assertThat(client.deliver(List.of(host(server)), envelope("r" + i + "@dst.test")).replies().getFirst().reply().code())
            .isEqualTo(250);
      }
      assertThat(server.connections.get()).isEqualTo(1);
      assertThat(server.transactions).hasSize(3);
      assertThat(server.allCommands.stream().filter(c -> c.equals("RSET")).count()).isEqualTo(2);
      assertThat(pool.idle()).isEqualTo(1);
      assertThat(pool.open()).isEqualTo(1);
    }
  }

  @Test
  void aConnectionIsRetiredAfterItsMaximumOfTransactions() throws Exception {
    try (TestSmtpServer server = new TestSmtpServer();
        ConnectionPool pool = new ConnectionPool(Duration.ofSeconds(5), 2, Duration.ofSeconds(1))) {
      SmtpClient client = client(pool);
      for (int i = 0; i < 5; i++) {
        client.deliver(List.of(host(server)), envelope("r" + i + "@dst.test"));
      }
      assertThat(server.transactions).hasSize(5);
      assertThat(server.connections.get()).isEqualTo(3);
    }
  }

  @Test
  void idleConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
    try (TestSmtpServer server = new TestSmtpServer();
        ConnectionPool pool = new ConnectionPool(Duration.ofMillis(200), 100, Duration.ofSeconds(1))) {
      SmtpClient client = client(pool);
      client.deliver(List.of(host(server)), envelope("r@dst.test"));
      assertThat(pool.idle()).isEqualTo(1);
      long deadline = System.currentTimeMillis() + 5000;
      while (pool.open() > 0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertThat(pool.idle()).isZero();
      assertThat(pool.open()).isZero();
      assertThat(server.allCommands).contains("QUIT");
    }
  }

  @Test
  void aPooledConnectionTheServerDroppedIsReplacedTransparently() throws Exception {
    try (TestSmtpServer server = new TestSmtpServer();
        ConnectionPool pool = new ConnectionPool(Duration.ofSeconds(30), 100, Duration.ofSeconds(1))) {
      server.idleDropMillis = 150;
      SmtpClient client = client(pool);
      client.deliver(List.of(host(server)), envelope("r1@dst.test"));
      Thread.sleep(400); // the server has hung up on the idle connection by now

      TransactionResult second = client.deliver(List.of(host(server)), envelope("r2@dst.test"));

      assertThat(second.replies().getFirst().reply().code()).isEqualTo(250);
      assertThat(server.connections.get()).isEqualTo(2);
      assertThat(server.transactions).hasSize(2);
    }
  }
}
