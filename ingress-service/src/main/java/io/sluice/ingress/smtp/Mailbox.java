package io.sluice.ingress.smtp;

import java.util.Objects;

/**
 * A mailbox {@code local-part@domain} as written in a MAIL or RCPT path (RFC 5321 §4.1.2). The
 * local-part keeps its quotes if it was a quoted-string; both parts are kept as sent (no case
 * folding: RFC 5321 §2.4 says local-parts may be case-sensitive).
 */
public record Mailbox(String localPart, String domain) {
  public Mailbox {
    Objects.requireNonNull(localPart, "localPart");
    Objects.requireNonNull(domain, "domain");
  }

  /** True when both parts are ASCII; a non-ASCII mailbox needs SMTPUTF8 (RFC 6531 §3.4). */
  public boolean isAscii() {
    return localPart.chars().allMatch(c -> c < 0x80) && domain.chars().allMatch(c -> c < 0x80);
  }

  @Override
  public String toString() {
    return localPart + "@" + domain;
  }
}
