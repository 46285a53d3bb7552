package io.sluice.delivery.transport;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Idle SMTP sessions per remote address, for reuse. A session returns here after a clean
 * transaction and leaves for good when it has served {@code maxTransactions}, or has been idle for
 * {@code idleTimeout} (a reaper closes it with QUIT). Most recently used first, so that surplus
 * sessions age out. An idle timeout of zero turns reuse off.
 */
public final class ConnectionPool implements AutoCloseable {
  private final Duration idleTimeout;
  private final int maxTransactions;
  private final Duration quitTimeout;
  private final Map<InetSocketAddress, Deque<SmtpSession>> idle = new ConcurrentHashMap<>();
  private final Counter counter = new Counter();
  private final ScheduledExecutorService reaper;

  public ConnectionPool(Duration idleTimeout, int maxTransactions, Duration quitTimeout) {
    this.idleTimeout = idleTimeout;
    this.maxTransactions = Math.max(1, maxTransactions);
    this.quitTimeout = quitTimeout;
    this.reaper = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().daemon().name("smtp-pool-reaper").factory());
    if (reuses()) {
      long period = Math.max(100, Math.min(1000, idleTimeout.toMillis() / 2));
      reaper.scheduleWithFixedDelay(this::reap, period, period, TimeUnit.MILLISECONDS);
    }
  }

  /** A pool that never keeps a session (every transaction opens and QUITs its own connection). */
  public static ConnectionPool none() {
    return new ConnectionPool(Duration.ZERO, 1, Duration.ofSeconds(5));
  }

  public boolean reuses() {
    return !idleTimeout.isZero() && !idleTimeout.isNegative() && maxTransactions > 1;
  }

  Counter counter() {
    return counter;
  }

  /** Open connections (idle and busy). */
  public int open() {
    return counter.open.get();
  }

  /** Idle connections waiting in the pool. */
  public int idle() {
    return idle.values().stream().mapToInt(Deque::size).sum();
  }

  /** An idle session for the address, or null. The caller must RSET it before use. */
  public SmtpSession take(InetSocketAddress address) {
    Deque<SmtpSession> q = idle.get(address);
    if (q == null) {
      return null;
    }
    SmtpSession s;
    while ((s = q.pollFirst()) != null) {
      if (fresh(s, Instant.now())) {
        return s;
      }
      retire(s);
    }
    return null;
  }

  /** Hands a session back after a clean transaction; it is kept or retired. */
  public void give(SmtpSession s) {
    s.transactionDone();
    if (!reuses() || s.transactions() >= maxTransactions || s.connection().isClosed()) {
      retire(s);
      return;
    }
    idle.computeIfAbsent(s.address(), a -> new ConcurrentLinkedDeque<>()).addFirst(s);
  }

  private boolean fresh(SmtpSession s, Instant now) {
    return !s.connection().isClosed() && Duration.between(s.lastUsed(), now).compareTo(idleTimeout) < 0;
  }

  private void retire(SmtpSession s) {
    Thread.ofVirtual().start(() -> s.quit(quitTimeout));
  }

  private void reap() {
    Instant now = Instant.now();
    for (Deque<SmtpSession> q : idle.values()) {
      Iterator<SmtpSession> it = q.descendingIterator();
      while (it.hasNext()) {
        SmtpSession s = it.next();
        if (!fresh(s, now) && q.removeFirstOccurrence(s)) {
          retire(s);
        }
      }
    }
  }

  @Override
  public void close() {
    reaper.shutdownNow();
    for (Deque<SmtpSession> q : idle.values()) {
      SmtpSession s;
      while ((s = q.pollFirst()) != null) {
        s.quit(quitTimeout);
      }
    }
  }

  /** Counts open connections, for the gauge. */
  static final class Counter {
    private final AtomicInteger open = new AtomicInteger();

    void opened() {
      open.incrementAndGet();
    }

    void closed() {
      open.decrementAndGet();
    }
  }
}
