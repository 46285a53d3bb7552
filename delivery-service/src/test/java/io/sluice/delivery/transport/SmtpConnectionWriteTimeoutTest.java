package io.sluice.delivery.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A server that takes the connection but never reads: the write must fail, not hang. */
class SmtpConnectionWriteTimeoutTest {
  @Test
  void aWriteThatIsNotTakenFailsAfterItsTimeoutAndClosesTheConnection() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      server.setReceiveBufferSize(4096);
      Thread accepting = Thread.ofVirtual().start(() -> {
        try (Socket held = server.accept()) {
          Thread.sleep(Duration.ofSeconds(30)); // never reads
        } catch (Exception ignored) {
          // the test is over
        }
      });
      SmtpConnection c = SmtpConnection.open(new InetSocketAddress(server.getInetAddress(), server.getLocalPort()),
          "stuck.test", Duration.ofSeconds(5));
      byte[] data = new byte[64 * 1024 * 1024]; // far more than the socket buffers on both sides hold
      long start = System.nanoTime();
      assertThatThrownBy(() -> c.write(data, Duration.ofMillis(500)))
          .isInstanceOf(SocketTimeoutException.class)
          .hasMessageContaining("blocked longer than");
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(took).isLessThan(Duration.ofSeconds(10));
      assertThat(c.isClosed()).isTrue();
      accepting.interrupt();
    }
  }

  @Test
  void aWriteThatIsTakenIsNotInterrupted() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread reading = Thread.ofVirtual().start(() -> {
        try (Socket s = server.accept()) {
          s.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        } catch (Exception ignored) {
          // closed at the end
        }
      });
      SmtpConnection c = SmtpConnection.open(new InetSocketAddress(server.getInetAddress(), server.getLocalPort()),
          "reader.test", Duration.ofSeconds(5));
      for (int i = 0; i < 20; i++) {
        c.write(new byte[200 * 1024], Duration.ofMillis(300));
        Thread.sleep(50); // idle between writes longer than nothing, shorter than the timeout
      }
      assertThat(c.isClosed()).isFalse();
      c.close();
      reading.join(Duration.ofSeconds(5));
    }
  }
}
