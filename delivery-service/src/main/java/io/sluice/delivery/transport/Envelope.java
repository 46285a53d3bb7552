package io.sluice.delivery.transport;

import io.sluice.schema.Recipient;
import io.sluice.schema.Ret;
import java.util.List;

/**
 * One SMTP transaction to send: the reverse-path ({@code ""} for the null sender), the recipients
 * of one destination, the RFC 3461 parameters, and the stored message bytes.
 */
public record Envelope(String reversePath, List<Recipient> recipients, String envid, Ret ret, boolean smtputf8,
    byte[] content) {
  public Envelope {
    recipients = List.copyOf(recipients);
  }

  /** RFC 6152: content with octets above 127 should be sent with BODY=8BITMIME. */
  public boolean has8bitContent() {
    for (byte b : content) {
      if (b < 0) {
        return true;
      }
    }
    return false;
  }

  /** RFC 6531: non-ASCII in an address can only be sent to a server that offers SMTPUTF8. */
  public boolean needsSmtputf8() {
    if (!isAscii(reversePath)) {
      return true;
    }
    for (Recipient r : recipients) {
      if (!isAscii(r.address())) {
        return true;
      }
    }
    return false;
  }

  private static boolean isAscii(String s) {
    return s.chars().allMatch(c -> c < 128);
  }
}
