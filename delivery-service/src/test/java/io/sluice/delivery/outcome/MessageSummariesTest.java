package io.sluice.delivery.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.schema.MessageSummary;
import io.sluice.schema.Recipient;
import io.sluice.schema.Ret;
import io.sluice.schema.SubmittedMessage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageSummariesTest {
  @Test
  void keepsTheHeaderSectionWithItsBlankLineAndTheUnfoldedMessageId() {
    String headers = "Received: from a\r\n by b\r\nMessage-ID:\r\n <id-1@x.test>\r\nSubject: s\r\n\r\n";
    byte[] content = (headers + "body\r\n").getBytes(StandardCharsets.US_ASCII);
    SubmittedMessage m = SubmittedMessage.accepted("01JD0000000000000000000000", Instant.EPOCH, "192.0.2.1", "h",
        "from@x.test", "env", Ret.HDRS, false, List.of(Recipient.of("to@y.test")), content);

    MessageSummary s = MessageSummaries.of(m);

    assertThat(new String(s.headers(), StandardCharsets.US_ASCII)).isEqualTo(headers);
    assertThat(s.messageId()).isEqualTo("<id-1@x.test>");
    assertThat(s.size()).isEqualTo(content.length);
    assertThat(s.envid()).isEqualTo("env");
    assertThat(s.ret()).isEqualTo(Ret.HDRS);
  }

  @Test
  void failureEventsCarryTheBodyOnlyWhenAFailedDsnReturnsIt() {
    byte[] content = "Subject: s\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
    Recipient plain = Recipient.of("to@y.test");
    Recipient never = new Recipient("never@y.test", java.util.EnumSet.of(io.sluice.schema.Notify.NEVER), null);

    assertThat(MessageSummaries.forFailures(message("from@x.test", Ret.FULL, content), List.of(never, plain))
        .content()).isEqualTo(content);
    assertThat(MessageSummaries.forFailures(message("from@x.test", Ret.HDRS, content), List.of(plain)).content())
        .isNull();
    assertThat(MessageSummaries.forFailures(message("from@x.test", null, content), List.of(plain)).content()).isNull();
    // No DSN can follow: the null sender never gets one, NOTIFY=NEVER asks for none.
    assertThat(MessageSummaries.forFailures(message("", Ret.FULL, content), List.of(plain)).content()).isNull();
    assertThat(MessageSummaries.forFailures(message("from@x.test", Ret.FULL, content), List.of(never)).content())
        .isNull();
  }

  private static SubmittedMessage message(String from, Ret ret, byte[] content) {
    return SubmittedMessage.accepted("01JD0000000000000000000000", Instant.EPOCH, "192.0.2.1", "h", from, null, ret,
        false, List.of(Recipient.of("to@y.test")), content);
  }

  @Test
  void noMessageIdGivesNull() {
    assertThat(MessageSummaries.messageId("Subject: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII))).isNull();
  }
}
