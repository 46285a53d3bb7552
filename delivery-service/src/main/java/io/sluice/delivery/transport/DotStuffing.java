package io.sluice.delivery.transport;


/**
 * Prepares stored message bytes for the DATA phase (RFC 5321 §4.5.2): every line that starts with a
 * dot gets one more, and the data ends with CRLF.CRLF. Nothing else changes: the bytes the receiver
 * gets after unstuffing are exactly the stored ones (plus a final CRLF if the content lacked one).
 */
public final class DotStuffing {
  private static final byte[] END = {'.', '\r', '\n'};

  private DotStuffing() {}

  public static byte[] stuff(byte[] content) {
    // Two passes over plain arrays: this runs for every message, and a per-byte stream write (a
    // lock each) cost more than the rest of the transaction's local work.
    int dots = 0;
    boolean lineStart = true;
    for (byte b : content) {
      if (lineStart && b == '.') {
        dots++;
      }
      lineStart = b == '\n';
    }
    boolean addCrlf = content.length > 0 && !endsWithCrlf(content);
    byte[] out = new byte[content.length + dots + (addCrlf ? 2 : 0) + END.length];
    int o = 0;
    int runStart = 0;
    lineStart = true;
    for (int i = 0; i < content.length; i++) {
      if (lineStart && content[i] == '.') {
        System.arraycopy(content, runStart, out, o, i - runStart);
        o += i - runStart;
        out[o++] = '.';
        runStart = i; // the original dot follows the added one
      }
      lineStart = content[i] == '\n';
    }
    System.arraycopy(content, runStart, out, o, content.length - runStart);
    o += content.length - runStart;
    if (addCrlf) {
      out[o++] = '\r';
      out[o++] = '\n';
    }
    System.arraycopy(END, 0, out, o, END.length);
    return out;
  }

  private static boolean endsWithCrlf(byte[] content) {
    return content.length >= 2 && content[content.length - 2] == '\r' && content[content.length - 1] == '\n';
  }
}
