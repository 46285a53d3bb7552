package io.sluice.ingress.policy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * Counts failed AUTH attempts per client address over a sliding-ish window (fixed windows that
 * restart after the first failure past their end). Once an address reaches the limit, AUTH from it
 * is refused with {@code 454 4.7.0} without checking the password, so a password guesser gains
 * nothing by reconnecting after each {@code 421}.
 */
public final class AuthThrottle {
  /** Beyond this many tracked addresses, expired entries are swept. */
  private static final int SWEEP_AT = 100_000;

  private record Window(long startNanos, int failures) {}

  private final int maxFailures;
  private final long windowNanos;
  private final LongSupplier clock;
  private final ConcurrentMap<InetAddress, Window> windows = new ConcurrentHashMap<>();

  public AuthThrottle(int maxFailures, Duration window, LongSupplier nanoClock) {
    this.maxFailures = maxFailures;
    this.windowNanos = window.toNanos();
    this.clock = nanoClock;
  }

  public AuthThrottle(int maxFailures, Duration window) {
    this(maxFailures, window, System::nanoTime);
  }

  /** True when AUTH from this address should be refused for now. */
  public boolean blocked(InetAddress client) {
    Window w = windows.get(client);
    return w != null && !expired(w) && w.failures() >= maxFailures;
  }

  public void failed(InetAddress client) {
    if (windows.size() > SWEEP_AT) {
      windows.values().removeIf(this::expired);
    }
    windows.merge(client, new Window(clock.getAsLong(), 1),
        (old, one) -> expired(old) ? one : new Window(old.startNanos(), old.failures() + 1));
  }

  private boolean expired(Window w) {
    return clock.getAsLong() - w.startNanos() > windowNanos;
  }
}
