package io.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.ingress.smtp.SmtpServer;
import io.sluice.schema.AvroCodec;
import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import io.sluice.schema.KafkaHeaders;
import io.sluice.schema.Notify;
import io.sluice.schema.Recipient;
import io.sluice.schema.Ret;
import io.sluice.schema.SubmittedMessage;
import io.sluice.schema.Topics;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Real SMTP over TCP against the running service and the real broker. */
@QuarkusTest
@QuarkusTestResource(TestTls.class)
class SmtpServerTest {
  private static final Pattern QUEUED = Pattern.compile("^250 2\\.0\\.0 Ok: queued as ([0-9A-Z]{26})$");
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Inject
  SmtpServer server;

  @TestHTTPResource("/q/health/ready")
  URI ready;

  @TestHTTPResource("/q/metrics")
  URI metrics;

  private SmtpClient connect() throws Exception {
    SmtpClient c = new SmtpClient(server.port());
    assertThat(c.reply()).startsWith("220 ingress.test ESMTP");
    return c;
  }

  private static String queueId(String reply) {
    Matcher m = QUEUED.matcher(reply);
    assertThat(m.matches()).as(reply).isTrue();
    return m.group(1);
  }

  @Test
  void acceptedMessageIsOnSluiceSubmittedWithOnlyAReceivedHeaderAdded() throws Exception {
    Instant start = Instant.now();
    String marker = UUID.randomUUID().toString();
    String message = "From: <sender@ok.test>\r\nTo: <rcpt@ok.test>\r\nSubject: " + marker + "\r\n"
        + "Message-ID: <" + marker + "@ok.test>\r\n\r\nHello.\r\n.Leading dot.\r\n\r\n8bit: \u00e9\r\n";
    String queueId;
    try (SmtpClient c = connect()) {
      assertThat(c.command("EHLO client.test")).contains("PIPELINING").contains("SIZE 10485760").contains("8BITMIME")
          .contains("SMTPUTF8").contains("DSN").contains("ENHANCEDSTATUSCODES");
      assertThat(c.command("MAIL FROM:<sender@ok.test> RET=HDRS ENVID=env+2B1 BODY=8BITMIME")).startsWith("250 2.1.0");
      assertThat(c.command("RCPT TO:<rcpt@ok.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;rcpt+2Bo@ok.test"))
          .startsWith("250 2.1.5");
      assertThat(c.command("RCPT TO:<second@ok.test>")).startsWith("250 2.1.5");
      assertThat(c.command("DATA")).startsWith("354");
      c.send(message.replace("\r\n.Leading", "\r\n..Leading") + ".\r\n");
      queueId = queueId(c.reply());
      assertThat(c.command("QUIT")).startsWith("221 2.0.0");
    }

    ConsumerRecord<String, byte[]> record =
        KafkaRecords.await(Topics.SUBMITTED, start, r -> queueId.equals(r.key()), WAIT);
    SubmittedMessage m = AvroCodec.submittedMessages().decode(record.value());
    assertThat(m.queueId()).isEqualTo(queueId);
    assertThat(m.reversePath()).isEqualTo("sender@ok.test");
    assertThat(m.heloName()).isEqualTo("client.test");
    assertThat(m.clientAddress()).isEqualTo("127.0.0.1");
    assertThat(m.ret()).isEqualTo(Ret.HDRS);
    assertThat(m.envid()).isEqualTo("env+1");
    assertThat(m.attempt()).isZero();
    assertThat(m.recipients()).containsExactly(
        new Recipient("rcpt@ok.test", Set.of(Notify.SUCCESS, Notify.FAILURE), "rfc822;rcpt+o@ok.test"),
        Recipient.of("second@ok.test"));
    String content = new String(m.content(), StandardCharsets.UTF_8);
    assertThat(content).startsWith("Received: from client.test ([127.0.0.1])\r\n\tby ingress.test (Sluice) with ESMTP id "
        + queueId + ";\r\n\t");
    // Exactly the submitted bytes behind our header.
    int afterHeader = content.indexOf("\r\n", content.indexOf(";\r\n\t") + 4) + 2;
    assertThat(content.substring(afterHeader)).isEqualTo(message);
    assertThat(record.headers().lastHeader(KafkaHeaders.TRACEPARENT)).isNotNull();
    assertThat(new String(record.headers().lastHeader(KafkaHeaders.TRACEPARENT).value(), StandardCharsets.US_ASCII))
        .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");

    ConsumerRecord<String, byte[]> event = KafkaRecords.await(Topics.EVENTS, start, r -> queueId.equals(r.key()), WAIT);
    DeliveryEvent received = AvroCodec.deliveryEvents().decode(event.value());
    assertThat(received.type()).isEqualTo(EventType.RECEIVED);
    assertThat(received.message().messageId()).isEqualTo("<" + marker + "@ok.test>");
    assertThat(received.message().envid()).isEqualTo("env+1");
    assertThat(received.message().size()).isEqualTo(m.content().length);
    assertThat(new String(received.message().headers(), StandardCharsets.UTF_8)).startsWith("Received: ")
        .endsWith("@ok.test>\r\n\r\n");
  }

  @Test
  void pipelinedCommandsGetTheirRepliesInOrder() throws Exception {
    try (SmtpClient c = connect()) {
      c.command("EHLO client.test");
      // RFC 2920: MAIL, RCPTs and DATA in one packet; DATA ends the group.
      c.send("MAIL FROM:<a@ok.test>\r\nRCPT TO:<b@ok.test>\r\nRCPT TO:<bad address>\r\nRCPT TO:<c@ok.test>\r\nDATA\r\n");
      assertThat(c.reply()).startsWith("250 2.1.0");
      assertThat(c.reply()).startsWith("250 2.1.5");
      assertThat(c.reply()).startsWith("501 5.1.3");
      assertThat(c.reply()).startsWith("250 2.1.5");
      assertThat(c.reply()).startsWith("354");
      // The end of data, a whole second transaction and QUIT in one write.
      c.send("Subject: one\r\n\r\nbody\r\n.\r\nRSET\r\nMAIL FROM:<>\r\nRCPT TO:<d@ok.test>\r\nNOOP\r\n");
      queueId(c.reply());
      assertThat(c.reply()).startsWith("250 2.0.0");
      assertThat(c.reply()).startsWith("250 2.1.0");
      assertThat(c.reply()).startsWith("250 2.1.5");
      assertThat(c.reply()).startsWith("250 2.0.0");
      assertThat(c.command("QUIT")).startsWith("221");
    }
  }

  @Test
  void smugglingVariantsNeverEndTheMessage() throws Exception {
    for (String fakeEnd : new String[] {"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n"}) {
      String label = fakeEnd.replace("\r", "<CR>").replace("\n", "<LF>");
      try (SmtpClient c = connect()) {
        c.command("EHLO client.test");
        c.command("MAIL FROM:<a@ok.test>");
        c.command("RCPT TO:<b@ok.test>");
        assertThat(c.command("DATA")).startsWith("354");
        c.send("Subject: first\r\n\r\nbody" + fakeEnd
            + "MAIL FROM:<spoof@ok.test>\r\nRCPT TO:<victim@ok.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nx\r\n.\r\n");
        // Only the real CRLF.CRLF ends the data, and the whole thing is refused.
        assertThat(c.reply()).as(label).startsWith("554 5.5.2");
        // The smuggled commands were content, not commands: the session is back at the start.
        assertThat(c.command("RCPT TO:<victim@ok.test>")).as(label).startsWith("503 5.5.1");
        assertThat(c.command("NOOP")).as(label).startsWith("250 2.0.0");
      }
    }
  }

  @Test
  void overlongLinesAreRefused() throws Exception {
    try (SmtpClient c = connect()) {
      assertThat(c.command("NOOP " + "x".repeat(3000))).startsWith("500 5.5.2");
      c.command("EHLO client.test");
      c.command("MAIL FROM:<a@ok.test>");
      c.command("RCPT TO:<b@ok.test>");
      c.command("DATA");
      c.send("Subject: long\r\n\r\n" + "y".repeat(1001) + "\r\nafter\r\n.\r\n");
      assertThat(c.reply()).startsWith("554 5.6.0");
      assertThat(c.command("NOOP")).startsWith("250");
    }
  }

  @Test
  void commandsOutOfOrderGet503() throws Exception {
    try (SmtpClient c = connect()) {
      assertThat(c.command("MAIL FROM:<a@ok.test>")).startsWith("503 5.5.1");
      c.command("EHLO client.test");
      assertThat(c.command("RCPT TO:<b@ok.test>")).startsWith("503 5.5.1");
      assertThat(c.command("DATA")).startsWith("503 5.5.1");
      c.command("MAIL FROM:<a@ok.test>");
      assertThat(c.command("DATA")).startsWith("503 5.5.1");
      assertThat(c.command("MAIL FROM:<a@ok.test>")).startsWith("503 5.5.1");
      assertThat(c.command("VRFY someone")).startsWith("252");
      assertThat(c.command("HELP")).startsWith("214");
    }
  }

  @Test
  void messagesAboveTheSizeLimitAreRefusedAtMailAndAtTheEndOfData() throws Exception {
    try (SmtpClient c = connect()) {
      c.command("EHLO client.test");
      assertThat(c.command("MAIL FROM:<a@ok.test> SIZE=10485761")).startsWith("552 5.3.4");
      assertThat(c.command("MAIL FROM:<a@ok.test> SIZE=1000")).startsWith("250");
      c.command("RCPT TO:<b@ok.test>");
      c.command("DATA");
      byte[] line = ("z".repeat(998) + "\r\n").getBytes(StandardCharsets.US_ASCII);
      c.send("Subject: big\r\n\r\n");
      for (int i = 0; i < 10_600; i++) { // ~10.6 MB
        c.send(line);
      }
      c.send(".\r\n");
      assertThat(c.reply()).startsWith("552 5.3.4");
      assertThat(c.command("NOOP")).startsWith("250");
    }
  }

  @Test
  void tooManyProtocolErrorsCloseTheSession() throws Exception {
    try (SmtpClient c = connect()) {
      String last = null;
      for (int i = 0; i < 21; i++) {
        last = c.command("BOGUS");
      }
      assertThat(last).startsWith("500 5.5.1");
      assertThat(c.reply()).startsWith("421 4.7.0");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void internationalisedAddressesWithSmtputf8() throws Exception {
    Instant start = Instant.now();
    String id;
    try (SmtpClient c = connect()) {
      c.command("EHLO client.test");
      assertThat(c.command("MAIL FROM:<j\u00f6rg@ok.test>")).startsWith("553 5.6.7");
      assertThat(c.command("MAIL FROM:<j\u00f6rg@ok.test> SMTPUTF8")).startsWith("250 2.1.0");
      assertThat(c.command("RCPT TO:<\u7528\u6237@\u4f8b\u5b50.test>")).startsWith("250 2.1.5");
      c.command("DATA");
      c.send("Subject: =?UTF-8?Q?gr=C3=BC=C3=9Fe?=\r\n\r\nGr\u00fc\u00dfe\r\n.\r\n");
      id = queueId(c.reply());
    }
    SubmittedMessage m = AvroCodec.submittedMessages().decode(
        KafkaRecords.await(Topics.SUBMITTED, start, r -> id.equals(r.key()), WAIT).value());
    assertThat(m.smtputf8()).isTrue();
    assertThat(m.reversePath()).isEqualTo("j\u00f6rg@ok.test");
    assertThat(m.recipients().getFirst().address()).isEqualTo("\u7528\u6237@\u4f8b\u5b50.test");
    assertThat(new String(m.content(), StandardCharsets.UTF_8)).contains(" with UTF8SMTP id " + id);
  }

  @Test
  void metricsAreExported() throws Exception {
    try (SmtpClient c = connect()) {
      c.command("EHLO client.test");
      c.command("MAIL FROM:<a@ok.test>");
      c.command("RCPT TO:<b@ok.test>");
      c.command("DATA");
      c.send("Subject: m\r\n\r\nx\r\n.\r\n");
      queueId(c.reply());
    }
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.body()).contains("sluice_ingress_messages_accepted_total").contains("sluice_ingress_sessions_total")
        .contains("sluice_ingress_sessions_active").contains("sluice_ingress_message_bytes")
        .contains("sluice_ingress_publish_latency_seconds_bucket");
  }

  @Test
  void readinessReflectsKafka() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(ready).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("kafka").contains("UP");
  }
}
