package io.sluice.delivery.outcome;

import io.sluice.schema.RemoteReply;

/**
 * Replies that delivery writes itself when no remote server answered (DNS, connection and local
 * failures), so that every event carries a code, an enhanced status and a text (contract 3). All of
 * them are built here and nowhere else.
 */
public final class Replies {
  /** RFC 3463 X.4.5, mail system congestion: what a local throttle (a full window, a pause) defers with. */
  private static final String THROTTLED_STATUS = "4.4.5";

  private Replies() {}

  /** RFC 7505 §3.2: a null MX means the domain accepts no mail. */
  public static RemoteReply nullMx(String domain) {
    return new RemoteReply(556, "5.1.10", "Recipient domain " + domain + " has a null MX (RFC 7505): it accepts no mail");
  }

  /** NXDOMAIN is permanent: the destination system does not exist (RFC 3463 X.1.2). */
  public static RemoteReply noSuchDomain(String domain) {
    return new RemoteReply(550, "5.1.2", "Recipient domain " + domain + " does not exist (DNS NXDOMAIN)");
  }

  /** A domain with neither MX nor address records, or whose MX hosts have no address. */
  public static RemoteReply unroutable(String domain, String detail) {
    return new RemoteReply(550, "5.4.4", "Unable to route to " + domain + ": " + detail);
  }

  /** SERVFAIL and timeouts are temporary (RFC 3463 X.4.3: directory server failure). */
  public static RemoteReply dnsTemporaryFailure(String domain, String detail) {
    return new RemoteReply(451, "4.4.3", "DNS lookup for " + domain + " failed temporarily: " + detail);
  }

  /** No connection could be made to any host (RFC 3463 X.4.1: no answer from host). */
  public static RemoteReply connectFailed(String host, String detail) {
    return new RemoteReply(421, "4.4.1", "Cannot connect to " + host + ": " + detail);
  }

  /** The connection broke or timed out during the transaction (RFC 3463 X.4.2: bad connection). */
  public static RemoteReply connectionLost(String host, String detail) {
    return new RemoteReply(421, "4.4.2", "Connection to " + host + " lost: " + detail);
  }

  /** RFC 1870 §6.1: the message exceeds the fixed limit the server announced with SIZE. */
  public static RemoteReply tooBigForServer(String host, long limit, long size) {
    return new RemoteReply(552, "5.3.4", "Message of " + size + " octets exceeds the SIZE limit " + limit + " of " + host);
  }

  /** RFC 6531 §3.2: a message that needs SMTPUTF8 cannot go to a server that does not offer it. */
  public static RemoteReply smtputf8NotOffered(String host) {
    return new RemoteReply(553, "5.6.7", host + " does not offer SMTPUTF8, which this message needs (RFC 6531)");
  }

  /** TLS is required for the destination but the host does not offer it or the handshake failed (RFC 5248 X.7.10). */
  public static RemoteReply tlsUnavailable(String host, String detail) {
    return new RemoteReply(421, "4.7.10", "TLS is required for " + host + " but " + detail);
  }

  /** RFC 3463 X.4.5: mail system congestion; shaping holds the destination back, the mail waits in a tier. */
  public static RemoteReply throttled(String destination, String why) {
    return new RemoteReply(451, THROTTLED_STATUS, "Destination " + destination + " is throttled: " + why);
  }

  /** Whether a reply is (or looks like) one of {@link #throttled}: no server was asked. */
  public static boolean isThrottled(RemoteReply reply) {
    return reply != null && reply.code() == 451 && THROTTLED_STATUS.equals(reply.enhancedStatus());
  }

  /** Delivery could not run at all because of a local error; it retries. */
  public static RemoteReply localError(String detail) {
    return new RemoteReply(451, "4.3.0", "Local error in delivery: " + detail);
  }

  /**
   * The recipient is on the suppression list (a recent hard bounce, or an operator's entry), so its
   * server is not contacted. RFC 3463 X.7.1: delivery not authorized, message refused.
   */
  public static RemoteReply suppressed(String address, String source, java.time.Instant until) {
    return new RemoteReply(550, "5.7.1", "Recipient <" + address + "> is on the suppression list (listed by "
        + source + (until == null ? ", until removed" : ", until " + until) + "); not attempted");
  }
}
