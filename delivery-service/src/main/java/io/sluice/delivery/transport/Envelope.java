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

  /**
   * RFC 6531 §3.2: non-ASCII in an address, or UTF-8 in the header section of a message submitted
   * with SMTPUTF8, can only go to a server that offers SMTPUTF8.
   */
  public boolean needsSmtputf8() {
    if (!isAscii(reversePath)) {
      return true;
    }
    for (Recipient r : recipients) {
      if (!isAscii(r.address())) {
        return true;
      }
    }
    return smtputf8 && headersHave8bit();
  }

  private boolean headersHave8bit() {
    for (int i = 0; i < content.length; i++) {
      if (content[i] < 0) {
        return true;
      }
      if (content[i] == '\n' && i + 2 < content.length && content[i + 1] == '\r' && content[i + 2] == '\n') {
        return false; // end of the header section
      }
    }
    return false;
  }

  private static boolean isAscii(String s) {
    return s.chars().allMatch(c -> c < 128);
  }
}
