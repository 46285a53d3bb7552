package io.sluice.ingress.smtp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * RFC 3461 §4 xtext: printable ASCII except {@code +} and {@code =}, with any other octet written as
 * {@code +XX} (two upper-case hex digits). ENVID and ORCPT use it.
 */
public final class Xtext {
  private Xtext() {}

  /**
   * @throws IllegalArgumentException when {@code text} is not valid xtext
   */
  public static String decode(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '+') {
        if (i + 2 >= text.length()) {
          throw new IllegalArgumentException("xtext: '+' needs two hex digits");
        }
        int hi = hex(text.charAt(i + 1));
        int lo = hex(text.charAt(i + 2));
        out.write(hi << 4 | lo);
        i += 2;
      } else if (c >= '!' && c <= '~' && c != '=') {
        out.write(c);
      } else {
        throw new IllegalArgumentException("xtext: character not allowed: 0x" + Integer.toHexString(c));
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int hex(char c) {
    // RFC 3461 §4 requires upper-case hex; lower case is accepted (be liberal in what you accept).
    int v = Character.digit(c, 16);
    if (v < 0) {
      throw new IllegalArgumentException("xtext: not a hex digit: " + c);
    }
    return v;
  }
}
