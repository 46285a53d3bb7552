package io.sluice.delivery.shaping;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Window, rate and breaker of one destination. The window is a fair semaphore: its waiters are the
 * destination's ready queue, served in arrival order. The rate is a token bucket holding at most
 * one second of tokens. The breaker opens after {@code failureThreshold} consecutive unreachable
 * transactions, for a time that doubles on each reopening, and closes on the first success.
 */
final class DestinationState {
  private final String name;
  private final ShapingPolicy policy;
  private final Semaphore window;
  private double tokens;
  private long lastRefillNanos = System.nanoTime();
  private int consecutiveFailures;
  private Instant openUntil = Instant.EPOCH;
  private Duration nextBackoff;

  DestinationState(String name, ShapingPolicy policy) {
    this.name = name;
    this.policy = policy;
    this.window = new Semaphore(policy.maxConnections(), true);
    this.tokens = Math.max(1, policy.ratePerSecond());
    this.nextBackoff = policy.backoffMin();
  }

  String name() {
    return name;
  }

  ShapingPolicy policy() {
    return policy;
  }

  int inUse() {
    return policy.maxConnections() - window.availablePermits();
  }

  int waiting() {
    return window.getQueueLength();
  }

  synchronized Instant openUntil() {
    return openUntil;
  }

  boolean acquireWindow(Duration wait) throws InterruptedException {
    return window.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS);
  }

  void releaseWindow() {
    window.release();
  }

  /** Takes one token, waiting at most until {@code deadlineNanos}; false when the rate forbids it. */
  boolean takeToken(long deadlineNanos) throws InterruptedException {
    if (policy.ratePerSecond() <= 0) {
      return true;
    }
    while (true) {
      long sleepNanos;
      synchronized (this) {
        refill();
        if (tokens >= 1) {
          tokens -= 1;
          return true;
        }
        sleepNanos = (long) ((1 - tokens) / policy.ratePerSecond() * 1e9);
      }
      if (System.nanoTime() + sleepNanos > deadlineNanos) {
        return false;
      }
      TimeUnit.NANOSECONDS.sleep(Math.max(sleepNanos, 1_000_000));
    }
  }

  private void refill() {
    long now = System.nanoTime();
    double add = (now - lastRefillNanos) / 1e9 * policy.ratePerSecond();
    tokens = Math.min(Math.max(1, policy.ratePerSecond()), tokens + add);
    lastRefillNanos = now;
  }

  synchronized boolean isOpen(Instant now) {
    return now.isBefore(openUntil);
  }

  /** Feedback from a finished transaction. Returns true when this failure opened the breaker. */
  synchronized boolean record(boolean reachedServer, Instant now) {
    if (reachedServer) {
      consecutiveFailures = 0;
      nextBackoff = policy.backoffMin();
      return false;
    }
    consecutiveFailures++;
    if (consecutiveFailures >= policy.failureThreshold() && !now.isBefore(openUntil)) {
      openUntil = now.plus(nextBackoff);
      Duration doubled = nextBackoff.multipliedBy(2);
      nextBackoff = doubled.compareTo(policy.backoffMax()) > 0 ? policy.backoffMax() : doubled;
      return true;
    }
    return false;
  }
}
