package io.sluice.ingress.policy;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the message content held in memory by all sessions together. Each session's buffer is
 * already capped at the SIZE limit; this caps the sum, so that many large messages at once slow
 * clients down (they get {@code 452 4.3.1} and retry) instead of exhausting the heap.
 */
public final class MemoryBudget {
  private final long limit;
  private final AtomicLong used = new AtomicLong();

  public MemoryBudget(long limit) {
    this.limit = limit;
  }

  public static MemoryBudget unlimited() {
    return new MemoryBudget(Long.MAX_VALUE);
  }

  /** Takes {@code bytes} from the budget; false (and nothing taken) when that would exceed it. */
  public boolean tryReserve(long bytes) {
    while (true) {
      long now = used.get();
      if (now + bytes > limit) {
        return false;
      }
      if (used.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  public void release(long bytes) {
    used.addAndGet(-bytes);
  }

  public long used() {
    return used.get();
  }
}
