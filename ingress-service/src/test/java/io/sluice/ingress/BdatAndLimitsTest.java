package io.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.sluice.ingress.smtp.SmtpServer;
import io.sluice.schema.AvroCodec;
import io.sluice.schema.SubmittedMessage;
import io.sluice.schema.Topics;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** CHUNKING/BDAT (RFC 3030) and the abuse limits, over real TCP. */
@QuarkusTest
class BdatAndLimitsTest {
  private static final Pattern QUEUED = Pattern.compile("^250 2\\.0\\.0 Ok: queued as ([0-9A-Z]{26})$");

  @Inject
  SmtpServer server;

  private SmtpClient connect() throws Exception {
    SmtpClient c = new SmtpClient(server.port());
    assertThat(c.reply()).startsWith("220 ");
    assertThat(c.command("EHLO client.test")).contains("CHUNKING");
    return c;
  }

  private static String queueId(String reply) {
    Matcher m = QUEUED.matcher(reply);
    assertThat(m.matches()).as(reply).isTrue();
    return m.group(1);
  }

  @Test
  void pipelinedChunksMakeOneMessage() throws Exception {
    Instant start = Instant.now();
    String part1 = "Subject: chunked\r\n\r\n";
    String part2 = "first line\r\n.a line with a dot is not stuffed in BDAT\r\n";
    String id;
    try (SmtpClient c = connect()) {
      c.send("MAIL FROM:<a@ok.test>\r\nRCPT TO:<b@ok.test>\r\nBDAT " + part1.length() + "\r\n" + part1
          + "BDAT " + part2.length() + " LAST\r\n" + part2);
      assertThat(c.reply()).startsWith("250 2.1.0");
      assertThat(c.reply()).startsWith("250 2.1.5");
      assertThat(c.reply()).isEqualTo("250 2.0.0 Ok: " + part1.length() + " octets received");
      id = queueId(c.reply());
      assertThat(c.command("DATA")).startsWith("503 5.5.1"); // the transaction is over
    }
    SubmittedMessage m = AvroCodec.submittedMessages().decode(
        KafkaRecords.await(Topics.SUBMITTED, start, r -> id.equals(r.key()), Duration.ofSeconds(30)).value());
    assertThat(new String(m.content(), StandardCharsets.US_ASCII)).startsWith("Received: ").endsWith("\r\n" + part1 + part2);
  }

  @Test
  void refusedBdatChunksAreReadAndThrownAway() throws Exception {
    try (SmtpClient c = connect()) {
      // The 12 octets "NOOP\r\nQUIT\r\n" are chunk data, not commands.
      c.send("BDAT 12 LAST\r\nNOOP\r\nQUIT\r\n");
      assertThat(c.reply()).startsWith("503 5.5.1");
      assertThat(c.command("RSET")).startsWith("250 2.0.0");
      c.command("MAIL FROM:<a@ok.test>");
      c.command("RCPT TO:<b@ok.test>");
      c.send("BDAT 20\r\n01234567890123456789");
      assertThat(c.reply()).startsWith("250 2.0.0 Ok: 20");
      assertThat(c.command("DATA")).startsWith("503 5.5.1"); // no DATA after BDAT
      c.send("BDAT 12 LAST\r\nbare\nLF here");
      assertThat(c.reply()).startsWith("554 5.5.2");
      assertThat(c.command("NOOP")).startsWith("250");
    }
  }

  @Test
  void aBdatOverTheSizeLimitIsRefusedAtOnce() throws Exception {
    try (SmtpClient c = connect()) {
      c.command("MAIL FROM:<a@ok.test>");
      c.command("RCPT TO:<b@ok.test>");
      int size = 10 * 1024 * 1024 + 10;
      c.send("BDAT " + size + "\r\n");
      byte[] block = ("x".repeat(998) + "\r\n").getBytes(StandardCharsets.US_ASCII);
      int sent = 0;
      while (sent + block.length <= size) {
        c.send(block);
        sent += block.length;
      }
      c.send("y".repeat(size - sent).getBytes(StandardCharsets.US_ASCII));
      assertThat(c.reply()).startsWith("552 5.3.4");
      assertThat(c.command("BDAT 0 LAST")).startsWith("503 5.5.1");
    }
  }

  @Test
  void aBdatWithoutASizeEndsTheSession() throws Exception {
    try (SmtpClient c = connect()) {
      assertThat(c.command("BDAT lots")).startsWith("501 5.5.4");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void recipientsBeyondTheLimitGet452AndTheRestIsQueued() throws Exception {
    Instant start = Instant.now();
    try (SmtpClient c = connect()) {
      StringBuilder group = new StringBuilder("MAIL FROM:<a@ok.test>\r\n");
      for (int i = 0; i < 1001; i++) {
        group.append("RCPT TO:<r").append(i).append("@ok.test>\r\n");
      }
      c.send(group.toString());
      assertThat(c.reply()).startsWith("250 2.1.0");
      for (int i = 0; i < 1000; i++) {
        assertThat(c.reply()).as("RCPT %d", i).startsWith("250 2.1.5");
      }
      assertThat(c.reply()).startsWith("452 4.5.3");
      assertThat(c.command("DATA")).startsWith("354");
      c.send("Subject: many\r\n\r\nhi\r\n.\r\n");
      String id = queueId(c.reply());
      SubmittedMessage m = AvroCodec.submittedMessages().decode(
          KafkaRecords.await(Topics.SUBMITTED, start, r -> id.equals(r.key()), Duration.ofSeconds(30)).value());
      assertThat(m.recipients()).hasSize(1000);
    }
  }

  @Test
  void aSlowDripClientIsCutOffByTheCommandDeadline() throws Exception {
    // Test profile: a whole command line must arrive within 3 s, however steadily the bytes trickle.
    try (SmtpClient c = new SmtpClient(server.port())) {
      c.reply();
      long started = System.nanoTime();
      String reply = null;
      for (char ch : "EHLO slow.client.test and more and more and more".toCharArray()) {
        try {
          c.send(String.valueOf(ch));
        } catch (java.io.IOException closed) {
          break;
        }
        Thread.sleep(250);
        if (System.nanoTime() - started > Duration.ofSeconds(6).toNanos()) {
          break;
        }
      }
      c.setTimeout(5000);
      reply = c.reply();
      assertThat(reply).startsWith("421 4.4.2");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
    }
  }

  @Test
  void aSilentClientGets421WhenTheCommandTimeoutEnds() throws Exception {
    // Plain sockets read without a socket timeout; the watchdog ends the read (command timeout: 3 s
    // in tests, checked every 300 ms) and the session still answers on its open output.
    try (SmtpClient c = new SmtpClient(server.port())) {
      c.reply();
      assertThat(c.command("EHLO silent.client.test")).startsWith("250");
      long started = System.nanoTime();
      c.setTimeout(10_000);
      assertThat(c.reply()).startsWith("421 4.4.2");
      Duration waited = Duration.ofNanos(System.nanoTime() - started);
      assertThat(waited).isGreaterThan(Duration.ofMillis(2900)).isLessThan(Duration.ofSeconds(6));
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void aClientThatNeverReadsItsRepliesIsCutOff() throws Exception {
    // Pipelined NOOPs whose replies are never read fill the socket buffers until our write blocks;
    // the timeout watchdog (command timeout: 3 s in tests) closes the session, and the client's own
    // blocked write fails. Sent from another thread so that a failure cannot hang the test.
    SmtpClient c = new SmtpClient(server.port());
    byte[] noops = "NOOP\r\n".repeat(10_000).getBytes(StandardCharsets.US_ASCII);
    java.util.concurrent.CompletableFuture<Boolean> cutOff = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      long started = System.nanoTime();
      while (System.nanoTime() - started < Duration.ofSeconds(30).toNanos()) {
        try {
          c.send(noops);
        } catch (java.io.IOException e) {
          return true; // reset by the server
        }
      }
      return false;
    });
    try {
      assertThat(cutOff.get(45, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    } finally {
      c.close();
    }
  }

  @Test
  void anAbsurdBdatIsRefusedAndTheSessionClosed() throws Exception {
    try (SmtpClient c = connect()) {
      c.command("MAIL FROM:<a@ok.test>");
      c.command("RCPT TO:<b@ok.test>");
      assertThat(c.command("BDAT 999999999999 LAST")).startsWith("552 5.3.4");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  /**
   * A client still sending when the session is ended (here: past the cap on bad commands) reads its
   * 421 and an orderly end, and what it sends in the next moments is drained, not answered with a
   * reset: closing a socket on unread input makes the kernel send RST, which can destroy the 421
   * in flight and fails the client's next write.
   */
  @Test
  void aClientStillSendingWhenTheSessionIsEndedReadsTheReplyAndItsWritesAreDrained() throws Exception {
    try (SmtpClient c = new SmtpClient(server.port())) {
      c.reply();
      c.send("BOGUS\r\n".repeat(25));
      c.setTimeout(10_000);
      String last = null;
      String reply;
      while ((reply = c.reply()) != null) {
        last = reply;
      }
      assertThat(last).startsWith("421 4.7.0");
      // Without the drain the first write draws a reset and the second fails with a broken pipe.
      c.send("BOGUS\r\n");
      Thread.sleep(300);
      c.send("BOGUS\r\n");
    }
  }

  /** The drain after such an end is bounded in all: a client trickling bytes is cut off after 2 s. */
  @Test
  void theDrainAfterAnEndedSessionEndsEvenWhileTheClientTrickles() throws Exception {
    try (SmtpClient c = new SmtpClient(server.port())) {
      c.reply();
      c.send("BOGUS\r\n".repeat(25));
      c.setTimeout(10_000);
      while (c.reply() != null) {
        // up to the 421 and the end of the server's output
      }
      long start = System.nanoTime();
      java.io.IOException cutOff = null;
      while (cutOff == null && System.nanoTime() - start < Duration.ofSeconds(8).toNanos()) {
        try {
          c.send("X");
          Thread.sleep(300);
        } catch (java.io.IOException e) {
          cutOff = e;
        }
      }
      assertThat(cutOff).as("the server closed the connection while the client trickled").isNotNull();
    }
  }

  @Test
  void garbageBytesGetErrorsThenTheSessionIsClosed() throws Exception {
    byte[] garbage = new byte[64 * 1024];
    new Random(42).nextBytes(garbage);
    try (SmtpClient c = new SmtpClient(server.port())) {
      c.reply();
      c.send(garbage);
      c.send("\r\n".repeat(30));
      String last = null;
      String reply;
      c.setTimeout(10_000);
      while ((reply = c.reply()) != null) {
        last = reply;
      }
      assertThat(last).startsWith("421 4.7.0");
    }
    try (SmtpClient c = connect()) {
      assertThat(c.command("NOOP")).startsWith("250"); // the server is fine
    }
  }
}
