package io.sluice.bounce.dsn;

import java.io.ByteArrayOutputStream;

/** RFC 5322 §2.3: lines end in CRLF; bare CR or LF never appear in a message we publish. */
final class LineEnds {
  private LineEnds() {}

  static byte[] toCrlf(byte[] in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + 64);
    for (int i = 0; i < in.length; i++) {
      byte b = in[i];
      if (b == '\r') {
        out.write('\r');
        out.write('\n');
        if (i + 1 < in.length && in[i + 1] == '\n') {
          i++;
        }
      } else if (b == '\n') {
        out.write('\r');
        out.write('\n');
      } else {
        out.write(b);
      }
    }
    return out.toByteArray();
  }
}
