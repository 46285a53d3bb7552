package io.sluice.bounce.dsn;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineEndsTest {
  private static String crlf(String in) {
    return new String(LineEnds.toCrlf(in.getBytes(StandardCharsets.US_ASCII)), StandardCharsets.US_ASCII);
  }

  @Test
  void bareLfAndBareCrBecomeCrlfAndCrlfStays() {
    assertThat(crlf("a\nb\rc\r\nd")).isEqualTo("a\r\nb\r\nc\r\nd");
    assertThat(crlf("\r\r\n\n")).isEqualTo("\r\n\r\n\r\n");
    assertThat(crlf("")).isEmpty();
  }
}
