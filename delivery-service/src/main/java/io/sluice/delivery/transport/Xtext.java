package io.sluice.delivery.transport;

import java.nio.charset.StandardCharsets;

/** RFC 3461 §4: xtext keeps "!" to "~" except "+" and "="; every other octet becomes "+XX". */
final class Xtext {
  private Xtext() {}

  static String encode(String value) {
    StringBuilder out = new StringBuilder(value.length() + 8);
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= '!' && c <= '~' && c != '+' && c != '=') {
        out.append((char) c);
      } else {
        out.append('+').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return out.toString();
  }
}
