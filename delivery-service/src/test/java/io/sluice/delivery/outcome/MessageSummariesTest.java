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
  void noMessageIdGivesNull() {
    assertThat(MessageSummaries.messageId("Subject: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII))).isNull();
  }
}
