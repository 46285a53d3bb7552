package io.sluice.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import io.sluice.schema.Notify;
import io.sluice.schema.SubmittedMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ingress with SMTP clients written by others: Python's smtplib (with DSN parameters and an 8-bit
 * body) and nodemailer from npm. Each message must be queued with a queue id and delivered.
 * The peers live in deploy/system-tests/peers; deploy/test.sh installs nodemailer there.
 */
@ExtendWith(SluiceStack.class)
class PeerClientsIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern QUEUED = Pattern.compile("250 2\\.0\\.0 Ok: queued as ([0-9A-Z]{26})");
  private static final Path PEERS = Path.of(System.getProperty("sluice.root", "../..")).toAbsolutePath()
      .normalize().resolve("deploy/system-tests/peers");

  @Test
  void pythonSmtplibSubmitsWithDsnParametersAndAnEightBitBody() throws Exception {
    String marker = UUID.randomUUID().toString();
    String message = "From: <py@ok.test>\r\nTo: <py-rcpt@ok.test>\r\nSubject: smtplib " + marker
        + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGr\u00fc\u00dfe aus Python.\r\n";
    String queueId = submit(List.of("python3", PEERS.resolve("send_smtplib.py").toString()),
        "py@ok.test", "py-rcpt@ok.test", message);

    try (EventWatcher queue = EventWatcher.submitted()) {
      SubmittedMessage record = queue.awaitMessage(m -> m.queueId().equals(queueId), WAIT, "record " + queueId);
      assertThat(record.recipients().getFirst().notifyOn()).containsExactlyInAnyOrder(Notify.FAILURE, Notify.DELAY);
      assertThat(record.recipients().getFirst().orcpt()).isEqualTo("rfc822;py-rcpt@ok.test");
      assertThat(new String(record.content(), StandardCharsets.UTF_8)).endsWith("Gr\u00fc\u00dfe aus Python.\r\n");
    }
    assertDelivered(queueId, "py-rcpt@ok.test");
  }

  @Test
  void nodemailerSubmitsAndTheMessageIsDelivered() throws Exception {
    String marker = UUID.randomUUID().toString();
    String message = "From: <node@ok.test>\r\nTo: <node-rcpt@ok.test>\r\nSubject: nodemailer " + marker
        + "\r\n\r\nHello from nodemailer.\r\n.Dot at the start of a line.\r\n";
    String queueId = submit(List.of("node", PEERS.resolve("send_nodemailer.mjs").toString()),
        "node@ok.test", "node-rcpt@ok.test", message);
    assertDelivered(queueId, "node-rcpt@ok.test");
    SinkDump dump = SinkDump.await(SluiceStack.get().acceptedDumps, "nodemailer " + marker, WAIT);
    assertThat(dump.message()).endsWith("Hello from nodemailer.\n.Dot at the start of a line.");
  }

  /**
   * Runs a peer as {@code command port from to file [MAIL parameters]} and returns the queue id from
   * its output.
   */
  static String submit(List<String> command, String from, String to, String message, String... mailParameters)
      throws Exception {
    Path file = Files.createTempFile("sluice-peer", ".eml");
    Files.writeString(file, message, StandardCharsets.UTF_8);
    List<String> full = new java.util.ArrayList<>(command);
    full.addAll(List.of(String.valueOf(SluiceStack.get().smtpPort), from, to, file.toString()));
    full.addAll(List.of(mailParameters));
    Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = process.waitFor();
    Files.delete(file);
    assertThat(exit).as(String.join(" ", command) + ":\n" + output).isZero();
    Matcher m = QUEUED.matcher(output);
    assertThat(m.find()).as("queue id in: " + output).isTrue();
    return m.group(1);
  }

  private static void assertDelivered(String queueId, String recipient) {
    try (EventWatcher events = EventWatcher.events()) {
      DeliveryEvent delivered = events.awaitEvent(queueId, EventType.DELIVERED, WAIT);
      assertThat(delivered.recipient().address()).isEqualTo(recipient);
      assertThat(delivered.reply().code()).isEqualTo(250);
    }
  }
}
