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
 *
 * <p>When the pause ends the breaker is half-open: one transaction, the probe, goes to the
 * destination while its other mail is still deferred. An answered probe closes the breaker; any
 * other outcome reopens it at once. Without this, every message that arrived while the first
 * transaction after a pause was under way went to a destination that was most likely still failing:
 * a burst against a server that had just refused us. The probe's permit is released in a
 * {@code finally} after a transaction bounded by the SMTP command timeouts, so a probe never stays
 * out for good.
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
  /** The breaker opened and no probe has been answered since: open until {@code openUntil}, then half-open. */
  private boolean tripped;
  /** A half-open breaker's probe transaction is under way. */
  private boolean probing;
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

  /**
   * The reply that defers a message while the breaker is open or its probe is under way, or null when
   * a transaction may try (the breaker is closed, or half-open with no probe out yet).
   */
  synchronized RemoteReply pausedReply(Instant now) {
    return heldBack(now) ? pauseReply() : null;
  }

  /** Open, or half-open with its probe out: no transaction may start. */
  private boolean heldBack(Instant now) {
    return now.isBefore(openUntil) || probing;
  }

  /** The deferral reply of the current pause, or of the last one when the breaker has just closed. */
  synchronized RemoteReply pauseReply() {
    if (pausedReply == null) {
      pausedReply = Replies.throttled(name, "it failed repeatedly; paused until " + openUntil
          + ", then one transaction tests it before the rest of its mail goes");
    }
    return pausedReply;
  }

  /** What a transaction that holds a slot and a token may do now. */
  enum Entry { GO, PROBE, PAUSED }

  /** Lets the transaction go, makes it the half-open breaker's probe, or says the destination is paused. */
  synchronized Entry enter(Instant now) {
    if (heldBack(now)) {
      return Entry.PAUSED;
    }
    if (tripped) {
      probing = true;
      return Entry.PROBE;
    }
    return Entry.GO;
  }

  /**
   * Feedback from a finished transaction; {@code probe} when it was the half-open breaker's probe.
   * Returns true when it opened the breaker.
   */
  synchronized boolean record(TransactionFeedback feedback, Instant now, boolean probe) {
    if (probe) {
      probing = false;
      if (feedback == TransactionFeedback.ANSWERED) {
        tripped = false;
      }
    }
    boolean opens = switch (feedback) {
      case ANSWERED -> {
        answered();
        yield false;
      }
      case TEMPFAILED -> {
        // The server is up, so the window stays as it is; only a run of them pauses the destination.
        consecutiveFailures = 0;
        consecutiveTempfails++;
        yield policy.tempfailThreshold() > 0 && consecutiveTempfails >= policy.tempfailThreshold();
      }
      case UNREACHABLE -> {
        consecutiveFailures++;
        halveWindow();
        yield consecutiveFailures >= policy.failureThreshold();
      }
    };
    // A failed probe reopens whatever the counts say. A transaction that began before the breaker
    // opened and ends after it says nothing new, so it does not open it again.
    if (probe && feedback != TransactionFeedback.ANSWERED) {
      return open(now);
    }
    return opens && !tripped && open(now);
  }

  private void answered() {
    consecutiveFailures = 0;
    consecutiveTempfails = 0;
    nextBackoff = policy.backoffMin();
    if (limit < policy.maxConnections()) {
      limit++;
      window.release();
    }
  }

  private void halveWindow() {
    int halved = Math.max(1, limit / 2);
    if (halved < limit) {
      window.shrink(limit - halved); // slots in use now are returned but not reissued
      limit = halved;
    }
  }

  /** Opens the breaker; each reopening doubles the next pause. */
  private boolean open(Instant now) {
    if (now.isBefore(openUntil)) {
      return false;
    }
    tripped = true;
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
