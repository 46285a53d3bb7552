package io.sluice.delivery.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DotStuffingTest {
  private static String stuff(String s) {
    return new String(DotStuffing.stuff(s.getBytes(StandardCharsets.US_ASCII)), StandardCharsets.US_ASCII);
  }

  @Test
  void doublesLeadingDotsOnlyAtLineStarts() {
    assertThat(stuff(".a\r\nb.c\r\n.\r\n")).isEqualTo("..a\r\nb.c\r\n..\r\n.\r\n");
  }

  @Test
  void addsTheMissingFinalCrlfBeforeTheTerminator() {
    assertThat(stuff("no newline")).isEqualTo("no newline\r\n.\r\n");
  }

  @Test
  void stuffsADotAtTheVeryStartAndLeavesAnEmptyMessageAsTheTerminatorAlone() {
    assertThat(stuff(".\r\n..x\r\ny\r\n")).isEqualTo("..\r\n...x\r\ny\r\n.\r\n");
    assertThat(stuff("")).isEqualTo(".\r\n");
  }
}
