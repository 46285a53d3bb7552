package io.sluice.ingress.policy;

import io.sluice.ingress.smtp.Replies;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps concurrent sessions in total and per client address. Clients in the trusted networks are
 * exempt from the per-client cap (Postfix's {@code smtpd_client_event_limit_exceptions}), so an
 * application server on the LAN can open many sessions. Every {@link #tryAcquire} that returns
 * ACCEPT must be paired with one {@link #release}.
 */
public final class ConnectionLimits {
  private final int maxTotal;
  private final int maxPerClient;
  private final TrustedNetworks exempt;
  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentMap<InetAddress, AtomicInteger> perClient = new ConcurrentHashMap<>();

  public ConnectionLimits(int maxTotal, int maxPerClient, TrustedNetworks exempt) {
    this.maxTotal = maxTotal;
    this.maxPerClient = maxPerClient;
    this.exempt = exempt;
  }

  public PolicyDecision tryAcquire(InetAddress client) {
    if (total.incrementAndGet() > maxTotal) {
      total.decrementAndGet();
      return new PolicyDecision.TempFail(Replies.TOO_MANY_CONNECTIONS);
    }
    int mine = perClient.computeIfAbsent(client, c -> new AtomicInteger()).incrementAndGet();
    if (mine > maxPerClient && !exempt.contains(client)) {
      release(client);
      return new PolicyDecision.TempFail(Replies.TOO_MANY_CONNECTIONS_FROM_YOU);
    }
    return PolicyDecision.ACCEPT;
  }

  public void release(InetAddress client) {
    total.decrementAndGet();
    perClient.computeIfPresent(client, (c, n) -> n.decrementAndGet() <= 0 ? null : n);
  }

  public int total() {
    return total.get();
  }
}
