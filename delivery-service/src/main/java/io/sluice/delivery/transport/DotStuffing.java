package io.sluice.delivery.transport;

import java.io.ByteArrayOutputStream;

/**
 * Prepares stored message bytes for the DATA phase (RFC 5321 §4.5.2): every line that starts with a
 * dot gets one more, and the data ends with CRLF.CRLF. Nothing else changes: the bytes the receiver
 * gets after unstuffing are exactly the stored ones (plus a final CRLF if the content lacked one).
 */
public final class DotStuffing {
  private static final byte[] END = {'.', '\r', '\n'};

  private DotStuffing() {}

  public static byte[] stuff(byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 64);
    boolean lineStart = true;
    for (byte b : content) {
      if (lineStart && b == '.') {
        out.write('.');
      }
      out.write(b);
      lineStart = b == '\n';
    }
    if (content.length > 0 && !endsWithCrlf(content)) {
      out.write('\r');
      out.write('\n');
    }
    out.writeBytes(END);
    return out.toByteArray();
  }

  private static boolean endsWithCrlf(byte[] content) {
    return content.length >= 2 && content[content.length - 2] == '\r' && content[content.length - 1] == '\n';
  }
}
