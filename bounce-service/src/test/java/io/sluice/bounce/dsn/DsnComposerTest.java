package io.sluice.bounce.dsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.schema.RemoteReply;
import jakarta.mail.BodyPart;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.eclipse.angus.mail.dsn.DeliveryStatus;
import org.junit.jupiter.api.Test;

class DsnComposerTest {
  static final byte[] ORIGINAL_HEADERS = ("From: Alice <alice@example.com>\r\n"
      + "To: bob@nowhere.test, carol@nowhere.test\r\n"
      + "Subject: quarterly numbers\r\n"
      + "Message-ID: <orig-1@example.com>\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

  private final DsnComposer composer = new DsnComposer();

  static DsnRequest twoFailures() {
    Instant at = Instant.parse("2026-11-23T10:15:30Z");
    return new DsnRequest(DsnAction.FAILED, "mta.example.net", "alice@example.com", "ENV-42",
        Instant.parse("2026-11-23T10:15:00Z"), "<orig-1@example.com>", ORIGINAL_HEADERS, null,
        List.of(
            new RecipientReport("bob@nowhere.test", "rfc822;Bob@Nowhere.test", "5.1.1", "mx.nowhere.test",
                new RemoteReply(550, "5.1.1", "<bob@nowhere.test>: Recipient address rejected"), at, null),
            new RecipientReport("carol@nowhere.test", null, "5.2.2", "mx.nowhere.test",
                new RemoteReply(552, "5.2.2", "mailbox full"), at, null)),
        "01JDSNAAAAAAAAAAAAAAAAAAAA@mta.example.net", Instant.parse("2026-11-23T10:16:00Z"));
  }

  static MimeMessage parse(byte[] bytes) throws Exception {
    return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
  }

  @Test
  void failureReportIsAMultipartReportWithTheThreeRfc3464Parts() throws Exception {
    byte[] bytes = composer.compose(twoFailures());
    MimeMessage dsn = parse(bytes);

    assertThat(dsn.getContentType()).startsWith("multipart/report").contains("report-type=delivery-status");
    assertThat(dsn.getHeader("Auto-Submitted", null)).isEqualTo("auto-replied");
    assertThat(dsn.getHeader("From", null)).contains("MAILER-DAEMON@mta.example.net");
    assertThat(dsn.getHeader("To", null)).contains("alice@example.com");
    assertThat(dsn.getHeader("Message-ID", null)).isEqualTo("<01JDSNAAAAAAAAAAAAAAAAAAAA@mta.example.net>");
    assertThat(dsn.getHeader("In-Reply-To", null)).isEqualTo("<orig-1@example.com>");
    assertThat(dsn.getHeader("Date", null)).isEqualTo("Mon, 23 Nov 2026 10:16:00 +0000");
    assertThat(dsn.getSubject()).isEqualTo("Undelivered Mail Returned to Sender");

    MimeMultipart parts = new MimeMultipart(new ByteArrayDataSource(partsOf(dsn), dsn.getContentType()));
    assertThat(parts.getCount()).isEqualTo(3);
    assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain");
    assertThat(text(parts.getBodyPart(0))).contains("<bob@nowhere.test>").contains("550 5.1.1");
    assertThat(parts.getBodyPart(1).getContentType()).startsWith("message/delivery-status");
    assertThat(parts.getBodyPart(2).getContentType()).startsWith("text/rfc822-headers");
    assertThat(text(parts.getBodyPart(2))).contains("Subject: quarterly numbers").contains("Message-ID: <orig-1@example.com>");

    DeliveryStatus status = new DeliveryStatus(parts.getBodyPart(1).getInputStream());
    InternetHeaders perMessage = status.getMessageDSN();
    assertThat(perMessage.getHeader("Reporting-MTA", null)).isEqualTo("dns; mta.example.net");
    assertThat(perMessage.getHeader("Original-Envelope-Id", null)).isEqualTo("ENV-42");
    assertThat(perMessage.getHeader("Arrival-Date", null)).isEqualTo("Mon, 23 Nov 2026 10:15:00 +0000");
    assertThat(status.getRecipientDSNCount()).isEqualTo(2);

    InternetHeaders bob = status.getRecipientDSN(0);
    assertThat(bob.getHeader("Final-Recipient", null)).isEqualTo("rfc822; bob@nowhere.test");
    assertThat(bob.getHeader("Original-Recipient", null)).isEqualTo("rfc822;Bob@Nowhere.test");
    assertThat(bob.getHeader("Action", null)).isEqualTo("failed");
    assertThat(bob.getHeader("Status", null)).isEqualTo("5.1.1");
    assertThat(bob.getHeader("Remote-MTA", null)).isEqualTo("dns; mx.nowhere.test");
    assertThat(unfold(bob.getHeader("Diagnostic-Code", null)))
        .isEqualTo("smtp; 550 5.1.1 <bob@nowhere.test>: Recipient address rejected");
    assertThat(bob.getHeader("Last-Attempt-Date", null)).isEqualTo("Mon, 23 Nov 2026 10:15:30 +0000");

    InternetHeaders carol = status.getRecipientDSN(1);
    assertThat(carol.getHeader("Final-Recipient", null)).isEqualTo("rfc822; carol@nowhere.test");
    assertThat(carol.getHeader("Original-Recipient", null)).isNull();
    assertThat(carol.getHeader("Status", null)).isEqualTo("5.2.2");
  }

  @Test
  void everyLineEndsInCrlf() {
    byte[] bytes = composer.compose(twoFailures());
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        assertThat(i).isPositive();
        assertThat(bytes[i - 1]).as("byte before LF at %d", i).isEqualTo((byte) '\r');
      }
      if (bytes[i] == '\r') {
        assertThat(bytes[i + 1]).as("byte after CR at %d", i).isEqualTo((byte) '\n');
      }
    }
  }

  @Test
  void aMessageWithTheNullReversePathNeverGetsADsn() {
    DsnRequest r = twoFailures();
    assertThatThrownBy(() -> new DsnRequest(r.action(), r.reportingMta(), "", r.envid(), r.arrivalDate(),
        r.originalMessageId(), r.originalHeaders(), null, r.recipients(), r.dsnMessageId(), r.date()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null reverse-path");
  }

  @Test
  void statusClassMustAgreeWithTheAction() {
    assertThat(RecipientReport.statusFor(DsnAction.FAILED, new RemoteReply(550, "5.1.1", "x"), ".0.0")).isEqualTo("5.1.1");
    assertThat(RecipientReport.statusFor(DsnAction.FAILED, new RemoteReply(550, null, "x"), ".0.0")).isEqualTo("5.0.0");
    assertThat(RecipientReport.statusFor(DsnAction.DELAYED, new RemoteReply(451, "4.4.1", "x"), ".0.0")).isEqualTo("4.4.1");
    DsnRequest r = twoFailures();
    assertThatThrownBy(() -> new DsnRequest(DsnAction.DELAYED, r.reportingMta(), r.originalSender(), null,
        r.arrivalDate(), null, r.originalHeaders(), null, r.recipients(), r.dsnMessageId(), r.date()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("disagrees");
  }

  private static byte[] partsOf(MimeMessage m) throws Exception {
    try (InputStream in = m.getRawInputStream()) {
      return in.readAllBytes();
    }
  }

  private static String text(BodyPart part) throws Exception {
    try (InputStream in = part.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String unfold(String value) {
    return value.replaceAll("\r?\n[ \t]+", " ");
  }
}
