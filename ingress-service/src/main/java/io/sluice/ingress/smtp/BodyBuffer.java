package io.sluice.ingress.smtp;

import java.util.Arrays;

/**
 * Message content collected during DATA or BDAT, capped at the SIZE limit. Past the cap it stops
 * storing (so memory per session stays bounded) but keeps counting, and the session answers
 * {@code 552 5.3.4} once the client has finished sending (RFC 1870 §6).
 */
public final class BodyBuffer {
  private final long cap;
  private byte[] bytes;
  private int length;
  private long total;

  /**
   * @param cap most octets kept
   * @param expected a size hint (the SIZE parameter), or -1
   */
  public BodyBuffer(long cap, long expected) {
    this.cap = cap;
    int initial = (int) Math.min(cap, expected > 0 ? expected + 1024 : 16 * 1024);
    this.bytes = new byte[Math.max(initial, 1024)];
  }

  public void append(byte[] src, int off, int len) {
    total += len;
    if (total > cap) {
      return;
    }
    if (length + len > bytes.length) {
      long grown = Math.max((long) length + len, Math.min(cap, (long) bytes.length * 2));
      bytes = Arrays.copyOf(bytes, (int) grown);
    }
    System.arraycopy(src, off, bytes, length, len);
    length += len;
  }

  /** True once more than the cap has been offered. */
  public boolean overflowed() {
    return total > cap;
  }

  /** Octets offered, including those past the cap. */
  public long total() {
    return total;
  }

  public int length() {
    return length;
  }

  public byte[] array() {
    return bytes;
  }
}
