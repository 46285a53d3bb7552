package io.sluice.delivery.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SmtpReplyTest {
  @Test
  void splitsOffTheEnhancedStatusWhenItsClassMatchesTheCode() {
    SmtpReply r = SmtpReply.of(550, List.of("5.1.1 <x@y>: Recipient address rejected"));
    assertThat(r.enhancedStatus()).isEqualTo("5.1.1");
    assertThat(r.text()).isEqualTo("<x@y>: Recipient address rejected");
    assertThat(r.toRemoteReply().toString()).isEqualTo("550 5.1.1 <x@y>: Recipient address rejected");
  }

  @Test
  void keepsTextThatOnlyLooksLikeAStatus() {
    SmtpReply r = SmtpReply.of(250, List.of("4.1.1 is not a success status"));
    assertThat(r.enhancedStatus()).isNull();
  }

  @Test
  void readsEhloKeywords() {
    ServerExtensions ext = ServerExtensions.fromEhlo(
        SmtpReply.of(250, List.of("mx.test", "PIPELINING", "SIZE 1000", "8BITMIME", "smtputf8")));
    assertThat(ext.pipelining()).isTrue();
    assertThat(ext.sizeLimit()).isEqualTo(1000);
    assertThat(ext.smtputf8()).isTrue();
    assertThat(ext.dsn()).isFalse();
  }
}
