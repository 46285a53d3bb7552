package io.sluice.delivery.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  void findsTheStatusExactlyWhereTheRfc3463PatternDoes() {
    // The pattern the hand-written parser replaced, as the reference.
    Pattern reference = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?:\\s+|$)");
    List<String> texts = List.of("2.0.0 Ok", "2.0.0", "2.0.0  \tspaced", "2.0.0x", "2.0.0.1 x", "2.123.456 x",
        "2.1234.5 x", "2.1.1234 x", "2..1 x", "2.1. x", ".2.1 x", "2.1", "25.1.1 x", "3.1.1 x", "4.4.5 busy",
        "5.7.1\tno", "", "Ok", "2.0.0\u00a0nbsp", " 2.0.0 lead");
    for (int code : new int[] {250, 354, 451, 550}) {
      for (String text : texts) {
        Matcher m = reference.matcher(text);
        boolean expected = m.find() && m.group(1).charAt(0) - '0' == code / 100;
        SmtpReply r = SmtpReply.of(code, List.of(text));
        assertThat(r.enhancedStatus()).as("%d %s", code, text)
            .isEqualTo(expected ? m.group(1) + "." + m.group(2) + "." + m.group(3) : null);
        assertThat(r.lines()).as("%d %s", code, text).containsExactly(expected ? text.substring(m.end()) : text);
      }
    }
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
