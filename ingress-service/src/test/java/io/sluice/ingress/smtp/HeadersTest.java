package io.sluice.ingress.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class HeadersTest {
  private static final ZonedDateTime AT = ZonedDateTime.of(2026, 11, 3, 9, 5, 7, 0, ZoneOffset.UTC);

  @Test
  void receivedHeaderFollowsRfc5321TimeStampLine() throws Exception {
    String h = new String(ReceivedHeader.build("client.example", InetAddress.getByName("192.0.2.1"), "mx.example",
        "ESMTPS", "01ABC", "rcpt@example.org", AT), StandardCharsets.UTF_8);
    assertThat(h).isEqualTo("Received: from client.example ([192.0.2.1])\r\n\tby mx.example (Sluice) with ESMTPS id 01ABC"
        + "\r\n\tfor <rcpt@example.org>;\r\n\tTue, 3 Nov 2026 09:05:07 +0000\r\n");
  }

  @Test
  void clientSuppliedNamesCannotBreakTheHeader() throws Exception {
    String h = new String(ReceivedHeader.build("evil(x);<y>", InetAddress.getByName("::1"), "mx", "SMTP", "ID", null, AT),
        StandardCharsets.UTF_8);
    assertThat(h).startsWith("Received: from evil?x???y? ([IPv6:0:0:0:0:0:0:0:1])\r\n\tby mx (Sluice) with SMTP id ID;\r\n");
  }

  @Test
  void protocolKeywords() {
    assertThat(ReceivedHeader.protocol(false, false, false, false)).isEqualTo("SMTP");
    assertThat(ReceivedHeader.protocol(true, false, true, true)).isEqualTo("ESMTPSA");
    assertThat(ReceivedHeader.protocol(true, true, false, false)).isEqualTo("UTF8SMTP");
  }

  @Test
  void headerSectionFindsFoldedFieldsAndItsEnd() {
    byte[] msg = "Subject: hi\r\nMessage-ID:\r\n <abc@x.test>\r\nTo: a@b\r\n\r\nbody\r\nMessage-ID: <not-a-header>\r\n"
        .getBytes(StandardCharsets.US_ASCII);
    HeaderSection h = new HeaderSection(msg);
    assertThat(h.value("message-id")).isEqualTo("<abc@x.test>");
    assertThat(h.has("Date")).isFalse();
    assertThat(new String(h.bytes(), StandardCharsets.US_ASCII)).endsWith("To: a@b\r\n\r\n");
  }

  @Test
  void headerSectionCanBeCappedAtALineBoundary() {
    String fields = "A: 1234567890\r\n".repeat(10); // 15 octets a field
    byte[] msg = (fields + "\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII);
    HeaderSection h = new HeaderSection(msg);
    assertThat(h.bytes(1000)).isEqualTo(h.bytes());
    assertThat(new String(h.bytes(50), StandardCharsets.US_ASCII)).isEqualTo("A: 1234567890\r\n".repeat(3) + "\r\n");
  }

  @Test
  void submissionAddsOnlyWhatIsMissing() {
    byte[] both = "Date: x\r\nMessage-ID: <y>\r\n\r\nb\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(SubmissionHeaders.missing(both, "Q", "h", AT)).isEmpty();
    byte[] none = "Subject: s\r\n\r\nb\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(new String(SubmissionHeaders.missing(none, "Q1", "mx.test", AT), StandardCharsets.US_ASCII))
        .isEqualTo("Date: Tue, 3 Nov 2026 09:05:07 +0000\r\nMessage-ID: <Q1@mx.test>\r\n");
  }
}
