package io.sluice.delivery.outcome;

import io.sluice.schema.EventType;
import io.sluice.schema.RemoteReply;

/**
 * Contract 3: the reply decides the outcome. 2xx delivered; 4xx (which includes the synthesised
 * replies for connection failures, timeouts and DNS SERVFAIL) deferred; 5xx (including NXDOMAIN and
 * null MX) bounced.
 */
public final class Classification {
  private Classification() {}

  public static EventType classify(RemoteReply reply) {
    int code = reply.code();
    if (code >= 200 && code < 300) {
      return EventType.DELIVERED;
    }
    if (code >= 400 && code < 500) {
      return EventType.DEFERRED;
    }
    if (code >= 500) {
      return EventType.BOUNCED;
    }
    // 3xx as a final reply to a recipient is a protocol error by the server; retry later.
    return EventType.DEFERRED;
  }
}
