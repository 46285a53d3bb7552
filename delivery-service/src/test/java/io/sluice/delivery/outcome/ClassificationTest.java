package io.sluice.delivery.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.schema.EventType;
import io.sluice.schema.RemoteReply;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ClassificationTest {
  @ParameterizedTest
  @CsvSource({
      "250, DELIVERED", "251, DELIVERED", "299, DELIVERED",
      "421, DEFERRED", "450, DEFERRED", "451, DEFERRED", "452, DEFERRED", "499, DEFERRED",
      "500, BOUNCED", "550, BOUNCED", "552, BOUNCED", "554, BOUNCED", "556, BOUNCED",
      "354, DEFERRED"})
  void replyCodeDecidesTheOutcome(int code, EventType expected) {
    assertThat(Classification.classify(new RemoteReply(code, null, "x"))).isEqualTo(expected);
  }

  @Test
  void synthesisedRepliesFollowContract3() {
    assertThat(Classification.classify(Replies.nullMx("d.test"))).isEqualTo(EventType.BOUNCED);
    assertThat(Replies.nullMx("d.test").code()).isEqualTo(556);
    assertThat(Replies.nullMx("d.test").enhancedStatus()).isEqualTo("5.1.10");
    assertThat(Classification.classify(Replies.noSuchDomain("d.test"))).isEqualTo(EventType.BOUNCED);
    assertThat(Replies.noSuchDomain("d.test").enhancedStatus()).isEqualTo("5.1.2");
    assertThat(Classification.classify(Replies.dnsTemporaryFailure("d.test", "SERVFAIL"))).isEqualTo(EventType.DEFERRED);
    assertThat(Replies.dnsTemporaryFailure("d.test", "SERVFAIL").enhancedStatus()).isEqualTo("4.4.3");
    assertThat(Classification.classify(Replies.connectFailed("h", "refused"))).isEqualTo(EventType.DEFERRED);
    assertThat(Classification.classify(Replies.connectionLost("h", "timed out"))).isEqualTo(EventType.DEFERRED);
    assertThat(Classification.classify(Replies.smtputf8NotOffered("h"))).isEqualTo(EventType.BOUNCED);
  }
}
