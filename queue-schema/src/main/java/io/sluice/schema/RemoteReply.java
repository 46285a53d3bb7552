package io.sluice.schema;

import java.util.Objects;

/**
 * An SMTP reply as recorded in an event: from the remote server, or synthesised by delivery for DNS
 * and connection failures so that every outcome carries a code, a status and a text (contract 3).
 */
public record RemoteReply(int code, String enhancedStatus, String text) {
  public RemoteReply {
    if (code < 200 || code > 599) {
      throw new IllegalArgumentException("SMTP reply code out of range: " + code);
    }
    Objects.requireNonNull(text, "text");
  }

  public boolean isPositive() {
    return code < 400;
  }

  public boolean isTransient() {
    return code >= 400 && code < 500;
  }

  public boolean isPermanent() {
    return code >= 500;
  }

  /** The reply as it appears on the wire and in a DSN's Diagnostic-Code, e.g. {@code 550 5.1.1 no such user}. */
  @Override
  public String toString() {
    return enhancedStatus == null ? code + " " + text : code + " " + enhancedStatus + " " + text;
  }
}
