package io.sluice.ingress.smtp;

import io.sluice.ingress.policy.MemoryBudget;
import java.util.Arrays;

/**
 * Message content collected during DATA or BDAT, capped at the SIZE limit. Past the cap it stops
 * storing (so memory per session stays bounded) but keeps counting, and the session answers
 * {@code 552 5.3.4} once the client has finished sending (RFC 1870 §6).
 *
 * <p>Its memory is taken from a {@link MemoryBudget} shared by all sessions; when the budget is
 * spent the buffer stops storing as well and the message gets {@code 452 4.3.1} (try later). The
 * owner must call {@link #release()} when done with the content.
 */
public final class BodyBuffer {
  private static final int INITIAL = 16 * 1024;

  private final long cap;
  private final MemoryBudget budget;
  private byte[] bytes;
  private long reserved;
  private int length;
  private long total;
  private boolean starved;

  /**
   * @param cap most octets kept
   * @param expected a size hint (the SIZE parameter), or -1
   */
  public BodyBuffer(long cap, long expected, MemoryBudget budget) {
    this.cap = cap;
    this.budget = budget;
    long initial = Math.max(1024, Math.min(cap, expected > 0 ? expected + 1024 : INITIAL));
    if (budget.tryReserve(initial)) {
      reserved = initial;
      bytes = new byte[(int) initial];
    } else {
      starved = true;
      bytes = new byte[0];
    }
  }

  public BodyBuffer(long cap, long expected) {
    this(cap, expected, MemoryBudget.unlimited());
  }

  public void append(byte[] src, int off, int len) {
    total += len;
    if (total > cap || starved) {
      return;
    }
    if (length + len > bytes.length) {
      long grown = Math.max((long) length + len, Math.min(cap, (long) bytes.length * 2));
      if (!budget.tryReserve(grown - bytes.length)) {
        starved = true;
        return;
      }
      reserved += grown - bytes.length;
      bytes = Arrays.copyOf(bytes, (int) grown);
    }
    System.arraycopy(src, off, bytes, length, len);
    length += len;
  }

  /** True once more than the cap has been offered. */
  public boolean overflowed() {
    return total > cap;
  }

  /** True when the shared memory budget ran out before the content was complete. */
  public boolean starved() {
    return starved;
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

  /** Gives the memory back to the budget; the buffer must not be used afterwards. */
  public void release() {
    budget.release(reserved);
    reserved = 0;
    bytes = new byte[0];
    length = 0;
  }
}
