package io.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.test.junit.QuarkusTest;
import io.sluice.ingress.smtp.ListenerKind;
import io.sluice.ingress.smtp.SmtpServer;
import io.sluice.schema.AvroCodec;
import io.sluice.schema.SubmittedMessage;
import io.sluice.schema.Topics;
import jakarta.inject.Inject;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.junit.jupiter.api.Test;

/** STARTTLS, implicit TLS and AUTH, with Jakarta Mail (Angus) as the real client and a raw one for the edge cases. */
@QuarkusTest
class TlsAndAuthTest {
  private static final Pattern QUEUED = Pattern.compile("250 2\\.0\\.0 Ok: queued as ([0-9A-Z]{26})");

  @Inject
  SmtpServer server;

  private static String plain(String user, String password) {
    return Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static String queueId(String reply) {
    Matcher m = QUEUED.matcher(reply);
    assertThat(m.find()).as(reply).isTrue();
    return m.group(1);
  }

  private Session mailSession(boolean requireStartTls) throws Exception {
    Properties p = new Properties();
    p.put("mail.smtp.host", "127.0.0.1");
    p.put("mail.smtp.port", String.valueOf(server.port(ListenerKind.SUBMISSION)));
    p.put("mail.smtp.starttls.enable", "true");
    p.put("mail.smtp.starttls.required", String.valueOf(requireStartTls));
    p.put("mail.smtp.auth", "true");
    p.put("mail.smtp.ssl.socketFactory", TestTls.clientContext().getSocketFactory());
    p.put("mail.smtp.ssl.checkserveridentity", "false"); // the trust store pins the one test certificate
    p.put("mail.smtp.localhost", "client.test");
    p.put("mail.smtp.timeout", "30000");
    return Session.getInstance(p);
  }

  @Test
  void jakartaMailSubmitsWithStartTlsAndAuth() throws Exception {
    Session session = mailSession(true);
    MimeMessage message = new MimeMessage(session);
    message.setFrom(new InternetAddress("alice@ok.test"));
    message.setRecipients(Message.RecipientType.TO, "rcpt@ok.test");
    message.setSubject("via Jakarta Mail " + UUID.randomUUID());
    message.setText("Hello over TLS.");
    Instant start = Instant.now();
    try (SMTPTransport transport = (SMTPTransport) session.getTransport("smtp")) {
      transport.connect("alice", "wonderland");
      assertThat(transport.getLastServerResponse()).startsWith("235 2.7.0");
      transport.sendMessage(message, message.getAllRecipients());
      String id = queueId(transport.getLastServerResponse());
      SubmittedMessage m = AvroCodec.submittedMessages().decode(
          KafkaRecords.await(Topics.SUBMITTED, start, r -> id.equals(r.key()), Duration.ofSeconds(30)).value());
      // RFC 3848: ESMTPSA = ESMTP with TLS and AUTH.
      assertThat(new String(m.content(), StandardCharsets.UTF_8)).contains("with ESMTPSA id " + id);
    }
  }

  @Test
  void jakartaMailWithAWrongPasswordIsRefused() throws Exception {
    try (SMTPTransport transport = (SMTPTransport) mailSession(true).getTransport("smtp")) {
      assertThatThrownBy(() -> transport.connect("alice", "not-the-password"))
          .isInstanceOf(AuthenticationFailedException.class);
    }
  }

  @Test
  void authIsOfferedOnlyAfterStartTls() throws Exception {
    try (SmtpClient c = new SmtpClient(server.port(ListenerKind.SUBMISSION))) {
      c.reply();
      String ehlo = c.command("EHLO client.test");
      assertThat(ehlo).contains("STARTTLS").doesNotContain("AUTH");
      assertThat(c.command("AUTH PLAIN " + plain("alice", "wonderland"))).startsWith("538 5.7.11");
      assertThat(c.command("MAIL FROM:<alice@ok.test>")).startsWith("530 5.7.0");
      assertThat(c.command("STARTTLS")).startsWith("220 2.0.0");
      c.upgradeToTls();
      String secure = c.command("EHLO client.test");
      assertThat(secure).contains("AUTH PLAIN LOGIN").doesNotContain("STARTTLS");
      assertThat(c.command("MAIL FROM:<alice@ok.test>")).startsWith("530 5.7.0"); // submission needs AUTH
      assertThat(c.command("AUTH LOGIN")).isEqualTo("334 VXNlcm5hbWU6");
      assertThat(c.command(Base64.getEncoder().encodeToString("alice".getBytes()))).isEqualTo("334 UGFzc3dvcmQ6");
      assertThat(c.command(Base64.getEncoder().encodeToString("wonderland".getBytes()))).startsWith("235 2.7.0");
      assertThat(c.command("AUTH PLAIN")).startsWith("503 5.5.1");
      assertThat(c.command("MAIL FROM:<alice@ok.test>")).startsWith("250 2.1.0");
    }
  }

  @Test
  void commandsPipelinedBehindStartTlsAreDiscarded() throws Exception {
    // CVE-2011-0411: text sent in clear after STARTTLS must not be executed inside TLS.
    try (SmtpClient c = new SmtpClient(server.port())) {
      c.reply();
      c.command("EHLO client.test");
      c.send("STARTTLS\r\nMAIL FROM:<injected@evil.test>\r\n");
      assertThat(c.reply()).startsWith("220 2.0.0");
      c.upgradeToTls();
      // Had the injected MAIL run, its reply (503: EHLO needed after TLS) would come first.
      assertThat(c.command("EHLO client.test")).startsWith("250-ingress.test");
      assertThat(c.command("STARTTLS")).startsWith("503 5.5.1");
    }
  }

  @Test
  void aSilentClientInsideTlsGets421WhenTheCommandTimeoutEnds() throws Exception {
    // Inside TLS the socket's own read timeout applies (command timeout: 3 s in tests).
    try (SmtpClient c = SmtpClient.implicitTls(server.port(ListenerKind.SUBMISSIONS))) {
      c.reply();
      assertThat(c.command("EHLO silent.client.test")).startsWith("250");
      long started = System.nanoTime();
      c.setTimeout(10_000);
      assertThat(c.reply()).startsWith("421 4.4.2");
      Duration waited = Duration.ofNanos(System.nanoTime() - started);
      assertThat(waited).isGreaterThan(Duration.ofMillis(2900)).isLessThan(Duration.ofSeconds(6));
    }
  }

  @Test
  void implicitTlsSubmissionAddsMissingDateAndMessageId() throws Exception {
    Instant start = Instant.now();
    String id;
    String body = "From: <bob@ok.test>\r\nTo: <rcpt@ok.test>\r\nSubject: no date, no id\r\n\r\nHi.\r\n";
    try (SmtpClient c = SmtpClient.implicitTls(server.port(ListenerKind.SUBMISSIONS))) {
      assertThat(c.reply()).startsWith("220 ingress.test");
      assertThat(c.command("EHLO client.test")).contains("AUTH PLAIN LOGIN").doesNotContain("STARTTLS");
      assertThat(c.command("AUTH PLAIN " + plain("bob", "builder"))).startsWith("235 2.7.0");
      // bob may only send from ok.test.
      assertThat(c.command("MAIL FROM:<bob@elsewhere.test>")).startsWith("553 5.7.1");
      assertThat(c.command("MAIL FROM:<bob@ok.test>")).startsWith("250 2.1.0");
      assertThat(c.command("RCPT TO:<rcpt@ok.test>")).startsWith("250 2.1.5");
      assertThat(c.command("DATA")).startsWith("354");
      c.send(body + ".\r\n");
      id = queueId(c.reply());
    }
    SubmittedMessage m = AvroCodec.submittedMessages().decode(
        KafkaRecords.await(Topics.SUBMITTED, start, r -> id.equals(r.key()), Duration.ofSeconds(30)).value());
    String content = new String(m.content(), StandardCharsets.UTF_8);
    assertThat(content).startsWith("Received: ").contains("\r\nDate: ").contains("\r\nMessage-ID: <" + id + "@ingress.test>\r\n")
        .endsWith("\r\n" + body);
  }

  @Test
  void repeatedWrongPasswordsCloseTheSession() throws Exception {
    try (SmtpClient c = SmtpClient.implicitTls(server.port(ListenerKind.SUBMISSIONS))) {
      c.reply();
      c.command("EHLO client.test");
      assertThat(c.command("AUTH PLAIN " + plain("alice", "guess1"))).startsWith("535 5.7.8");
      assertThat(c.command("AUTH PLAIN " + plain("alice", "guess2"))).startsWith("535 5.7.8");
      assertThat(c.command("AUTH PLAIN " + plain("nobody", "guess3"))).startsWith("535 5.7.8");
      assertThat(c.reply()).startsWith("421 4.7.0");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void authCanBeCancelled() throws Exception {
    try (SmtpClient c = SmtpClient.implicitTls(server.port(ListenerKind.SUBMISSIONS))) {
      c.reply();
      c.command("EHLO client.test");
      assertThat(c.command("AUTH PLAIN")).isEqualTo("334 ");
      assertThat(c.command("*")).startsWith("501 5.7.0");
      assertThat(c.command("AUTH PLAIN !!notbase64")).startsWith("501 5.5.2");
    }
  }

  @Test
  void aFailedTlsHandshakeClosesOnlyThatConnection() throws Exception {
    try (SmtpClient c = new SmtpClient(server.port(ListenerKind.SUBMISSIONS))) {
      c.setTimeout(10_000);
      c.send("EHLO plain-text-on-a-tls-port\r\n");
      assertThat(c.closedByServer()).isTrue();
    }
    try (SmtpClient c = SmtpClient.implicitTls(server.port(ListenerKind.SUBMISSIONS))) {
      assertThat(c.reply()).startsWith("220 ");
    }
  }
}
