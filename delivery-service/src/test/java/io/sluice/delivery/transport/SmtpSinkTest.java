package io.sluice.delivery.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.delivery.route.TargetHost;
import io.sluice.schema.Recipient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The SMTP client against Postfix's smtp-sink, a real independent SMTP server, on a free port. */
class SmtpSinkTest {
  private final SmtpClient client = new SmtpClient("client.test", SmtpTimeouts.uniform(Duration.ofSeconds(10)),
      new ConnectionPool(Duration.ofSeconds(2), 100, Duration.ofSeconds(1)));

  private static final class Sink implements AutoCloseable {
    final Process process;
    final int port;
    final Path dumps;

    Sink(String... options) throws Exception {
      try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = probe.getLocalPort();
      }
      // smtp-sink drops privileges to nobody, so its dump folder must be writable by nobody.
      dumps = Files.createTempDirectory("smtp-sink");
      Files.setPosixFilePermissions(dumps, PosixFilePermissions.fromString("rwxrwxrwx"));
      List<String> command = new ArrayList<>(List.of("smtp-sink", "-u", "nobody", "-d", dumps + "/%Y%m%d%H%M%S."));
      command.addAll(List.of(options));
      command.addAll(List.of("127.0.0.1:" + port, "10"));
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
      Instant deadline = Instant.now().plusSeconds(10);
      while (true) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
          return;
        } catch (IOException notYet) {
          if (Instant.now().isAfter(deadline) || !process.isAlive()) {
            throw new IllegalStateException("smtp-sink did not start: " + new String(process.getInputStream().readAllBytes()));
          }
          Thread.sleep(50);
        }
      }
    }

    String awaitDump(String marker) throws Exception {
      Instant deadline = Instant.now().plusSeconds(10);
      while (Instant.now().isBefore(deadline)) {
        try (Stream<Path> files = Files.list(dumps)) {
          for (Path f : files.toList()) {
            String text = Files.readString(f, StandardCharsets.ISO_8859_1);
            if (text.contains(marker)) {
              return text;
            }
          }
        }
        Thread.sleep(50);
      }
      throw new AssertionError("no dump with " + marker);
    }

    @Override
    public void close() {
      process.destroy();
    }
  }

  private TransactionResult send(Sink sink, byte[] content, String... rcpts) {
    return client.deliver(List.of(new TargetHost("sink.test", List.of(InetAddress.getLoopbackAddress()), sink.port)),
        new Envelope("sender@src.test", java.util.Arrays.stream(rcpts).map(Recipient::of).toList(), null, null, false,
            content), TlsPolicy.OPPORTUNISTIC);
  }

  @Test
  void smtpSinkReceivesTheStoredBytes() throws Exception {
    String marker = UUID.randomUUID().toString();
    String message = "Received: from a by b; Mon, 23 Nov 2026 12:00:00 +0000\r\nSubject: " + marker
        + "\r\n\r\nline\r\n.starts with a dot\r\n..two\r\n";
    try (Sink sink = new Sink()) {
      TransactionResult result = send(sink, message.getBytes(StandardCharsets.US_ASCII), "rcpt@dst.test");

      assertThat(result.replies()).singleElement().satisfies(r -> assertThat(r.reply().code()).isEqualTo(250));
      String dump = sink.awaitDump(marker);
      assertThat(dump).contains("X-Mail-Args: <sender@src.test>").contains("X-Rcpt-Args: <rcpt@dst.test>");
      // smtp-sink writes LF line ends, puts its own Received header first and a blank line last.
      assertThat(dump.replaceAll("\n+$", "")).endsWith(message.replace("\r\n", "\n").replaceAll("\n+$", ""));
    }
  }

  @Test
  void hardRejectedRecipientsGet5xxAndSoftRejectedOnes4xx() throws Exception {
    byte[] content = "Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII);
    try (Sink hard = new Sink("-f", "RCPT"); Sink soft = new Sink("-r", "RCPT")) {
      assertThat(send(hard, content, "a@dst.test").replies()).singleElement()
          .satisfies(r -> assertThat(r.reply().code()).isBetween(500, 599));
      assertThat(send(soft, content, "a@dst.test").replies()).singleElement()
          .satisfies(r -> assertThat(r.reply().code()).isBetween(400, 499));
    }
  }
}
