package io.sluice.delivery.shaping;

import io.sluice.delivery.outcome.Replies;
import io.sluice.schema.RemoteReply;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Window, rate and breaker of one destination. The window is a fair semaphore: its waiters are the
 * destination's ready queue, served in arrival order. Its size adapts as Postfix's destination
 * concurrency does: an unreachable transaction (connection failure, 421) halves it, each success
 * widens it by one, up to {@code maxConnections}. The rate is a token bucket holding at most one
 * second of tokens. The breaker opens after {@code failureThreshold} consecutive unreachable
 * transactions, or {@code tempfailThreshold} consecutive transactions in which the server deferred
 * every recipient, for a time that doubles on each reopening; an answered transaction resets both.
 */
final class DestinationState {
  private final String name;
  private final ShapingPolicy policy;
  private final Window window;
  private int limit;
  private double tokens;
  private long lastRefillNanos = System.nanoTime();
  private int consecutiveFailures;
  private int consecutiveTempfails;
  private Instant openUntil = Instant.EPOCH;
  private Duration nextBackoff;
  /** The deferral reply of the current pause, made once: while paused, every message gets it. */
  private RemoteReply pausedReply;

  DestinationState(String name, ShapingPolicy policy) {
    this.name = name;
    this.policy = policy;
    this.window = new Window(policy.maxConnections());
    this.limit = policy.maxConnections();
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
    synchronized (this) {
      return limit - window.availablePermits();
    }
  }

  /** The current window size (at most {@code maxConnections}). */
  synchronized int limit() {
    return limit;
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

  /** The reply that defers a message while the breaker is open, or null when it is closed. */
  synchronized RemoteReply pausedReply(Instant now) {
    if (!now.isBefore(openUntil)) {
      return null;
    }
    if (pausedReply == null) {
      pausedReply = Replies.throttled(name, "it failed repeatedly; paused until " + openUntil);
    }
    return pausedReply;
  }

  /** Feedback from a finished transaction. Returns true when it opened the breaker. */
  synchronized boolean record(TransactionFeedback feedback, Instant now) {
    switch (feedback) {
      case ANSWERED -> {
        consecutiveFailures = 0;
        consecutiveTempfails = 0;
        nextBackoff = policy.backoffMin();
        if (limit < policy.maxConnections()) {
          limit++;
          window.release();
        }
        return false;
      }
      case TEMPFAILED -> {
        // The server is up, so the window stays as it is; only a run of them pauses the destination.
        consecutiveFailures = 0;
        consecutiveTempfails++;
        return policy.tempfailThreshold() > 0 && consecutiveTempfails >= policy.tempfailThreshold() && open(now);
      }
      case UNREACHABLE -> {
        consecutiveFailures++;
        int halved = Math.max(1, limit / 2);
        if (halved < limit) {
          window.shrink(limit - halved); // slots in use now are returned but not reissued
          limit = halved;
        }
        return consecutiveFailures >= policy.failureThreshold() && open(now);
      }
    }
    throw new AssertionError(feedback);
  }

  /** Opens the breaker unless it is open already; each reopening doubles the next pause. */
  private boolean open(Instant now) {
    if (now.isBefore(openUntil)) {
      return false;
    }
    openUntil = now.plus(nextBackoff);
    pausedReply = null;
    Duration doubled = nextBackoff.multipliedBy(2);
    nextBackoff = doubled.compareTo(policy.backoffMax()) > 0 ? policy.backoffMax() : doubled;
    return true;
  }

  /** A fair semaphore whose size can shrink while permits are out. */
  private static final class Window extends Semaphore {
    Window(int permits) {
      super(permits, true);
    }

    void shrink(int by) {
      reducePermits(by);
    }
  }
}
