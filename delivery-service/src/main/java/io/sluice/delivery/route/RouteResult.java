package io.sluice.delivery.route;

import java.util.List;

/**
 * Where the mail of one recipient domain goes, or why it cannot go anywhere. DNS failures stay
 * typed (STYLE 7): NXDOMAIN and null MX are permanent, SERVFAIL and timeouts temporary.
 */
public sealed interface RouteResult {

  /**
   * Hosts to try in order.
   *
   * @param destination a stable name for the host set (primary MX, static route or smart host), used
   *     for metrics and per-destination shaping
   */
  record Hosts(String destination, List<TargetHost> hosts) implements RouteResult {
    public Hosts {
      hosts = List.copyOf(hosts);
      if (hosts.isEmpty()) {
        throw new IllegalArgumentException("a route needs at least one host");
      }
    }
  }

  /** RFC 7505: the domain publishes a null MX and accepts no mail. */
  record NullMx() implements RouteResult {}

  /** NXDOMAIN: the domain does not exist. */
  record NoSuchDomain() implements RouteResult {}

  /** The domain exists but neither its MX hosts nor the domain itself have an address. */
  record Unroutable(String detail) implements RouteResult {}

  /** SERVFAIL, timeout, or another failure that may pass: retry later. */
  record TemporaryFailure(String detail) implements RouteResult {}
}
