package io.sluice.delivery.shaping;

import java.time.Duration;

/**
 * Limits for one destination.
 *
 * @param maxConnections concurrent transactions (and so connections) to the destination
 * @param ratePerSecond messages per second to the destination; 0 means no limit
 * @param failureThreshold consecutive unreachable transactions (connection failures, 421) that open
 *     the breaker
 * @param tempfailThreshold consecutive transactions in which the server deferred every recipient that
 *     open the breaker too; 0 turns this off
 * @param backoffMin how long the breaker stays open the first time
 * @param backoffMax ceiling of the doubling open time
 */
public record ShapingPolicy(int maxConnections, double ratePerSecond, int failureThreshold, int tempfailThreshold,
    Duration backoffMin, Duration backoffMax) {
  public ShapingPolicy {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("max connections per destination must be at least 1");
    }
    if (ratePerSecond < 0) {
      throw new IllegalArgumentException("rate must not be negative");
    }
    if (tempfailThreshold < 0) {
      throw new IllegalArgumentException("tempfail threshold must not be negative");
    }
  }
}
