package io.sluice.delivery.shaping;

import io.sluice.delivery.outcome.Replies;
import io.sluice.schema.RemoteReply;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Per-destination concurrency windows, rates and breakers (issue 4, contract 5). A destination is
 * a host set (primary MX, static route or smart host), so domains that share MX hosts share limits.
 * Limits come from the default policy, or from the override of the first recipient domain that
 * reaches the destination.
 *
 * <p>Use: {@link #admit}; on {@link Admission.Admitted} send and then release the permit with the
 * transaction's {@link TransactionFeedback}; on {@link Admission.Throttled} defer the recipients with its reply.
 * Admission waits at most {@code queueTimeout} for a slot, so a slow or dead destination turns into
 * deferrals instead of blocking the consumer's in-flight capacity.
 */
public final class Shaper {
  private final ShapingPolicy defaults;
  private final Map<String, ShapingPolicy> perDomain;
  private final Duration queueTimeout;
  private final Clock clock;
  private final Map<String, DestinationState> states = new ConcurrentHashMap<>();
  private volatile BiConsumer<String, Instant> onBreakerOpen = (d, until) -> {};

  public Shaper(ShapingPolicy defaults, Map<String, ShapingPolicy> perDomain, Duration queueTimeout, Clock clock) {
    this.defaults = defaults;
    this.perDomain = Map.copyOf(perDomain);
    this.queueTimeout = queueTimeout;
    this.clock = clock;
  }

  public void onBreakerOpen(BiConsumer<String, Instant> listener) {
    this.onBreakerOpen = listener;
  }

  public Admission admit(String destination, String domain) throws InterruptedException {
    DestinationState state = states.computeIfAbsent(destination,
        d -> new DestinationState(d, perDomain.getOrDefault(domain.toLowerCase(Locale.ROOT), defaults)));
    Instant now = clock.instant();
    RemoteReply paused = state.pausedReply(now);
    if (paused != null) {
      return new Admission.Throttled(paused);
    }
    long deadline = System.nanoTime() + queueTimeout.toNanos();
    if (!state.acquireWindow(queueTimeout)) {
      return new Admission.Throttled(throttled(destination, "all " + state.policy().maxConnections()
          + " connections stayed busy for " + queueTimeout));
    }
    boolean ok = false;
    try {
      if (!state.takeToken(deadline)) {
        return new Admission.Throttled(throttled(destination, "its rate of " + state.policy().ratePerSecond()
            + " messages/s is used up"));
      }
      DestinationState.Entry entry = state.enter(clock.instant());
      if (entry == DestinationState.Entry.PAUSED) { // opened, or its probe left, while we waited
        return new Admission.Throttled(state.pauseReply());
      }
      boolean probe = entry == DestinationState.Entry.PROBE;
      ok = true;
      return new Admission.Admitted(new Permit() {
        private boolean released;

        @Override
        public synchronized void release(TransactionFeedback feedback) {
          if (released) {
            return;
          }
          released = true;
          state.releaseWindow();
          if (state.record(feedback, clock.instant(), probe)) {
            onBreakerOpen.accept(destination, state.openUntil());
          }
        }
      });
    } finally {
      if (!ok) {
        state.releaseWindow();
      }
    }
  }

  /**
   * The reply that defers mail to {@code destination} while it is paused (its breaker is open), or
   * null when it is not paused: lets a caller defer without taking a slot, or even starting an attempt.
   */
  public RemoteReply pausedReply(String destination) {
    DestinationState s = states.get(destination);
    return s == null ? null : s.pausedReply(clock.instant());
  }

  private static RemoteReply throttled(String destination, String why) {
    return Replies.throttled(destination, why);
  }

  /** Transactions in flight to a destination (for metrics and tests). */
  public int inUse(String destination) {
    DestinationState s = states.get(destination);
    return s == null ? 0 : s.inUse();
  }

  /** The current (adaptive) window size of a destination. */
  public int limit(String destination) {
    DestinationState s = states.get(destination);
    return s == null ? 0 : s.limit();
  }

  /** Messages waiting for a slot of a destination (its ready queue). */
  public int waiting(String destination) {
    DestinationState s = states.get(destination);
    return s == null ? 0 : s.waiting();
  }

  public Map<String, Integer> inUseByDestination() {
    Map<String, Integer> out = new java.util.TreeMap<>();
    states.forEach((d, s) -> out.put(d, s.inUse()));
    return out;
  }
}
