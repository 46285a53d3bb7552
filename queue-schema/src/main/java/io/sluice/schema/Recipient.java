package io.sluice.schema;

import java.util.Objects;
import java.util.Set;

/**
 * One forward-path and its RFC 3461 parameters.
 *
 * @param address mailbox without angle brackets
 * @param notifyOn NOTIFY values; empty when the client gave none (the MTA default then applies)
 * @param orcpt ORCPT as {@code addr-type;address}, decoded from xtext, or null
 */
public record Recipient(String address, Set<Notify> notifyOn, String orcpt) {
  public Recipient {
    Objects.requireNonNull(address, "address");
    notifyOn = notifyOn == null ? Set.of() : Set.copyOf(notifyOn);
  }

  public static Recipient of(String address) {
    return new Recipient(address, Set.of(), null);
  }

  /** RFC 3461 §4.1: without NOTIFY, failures are reported; NOTIFY=NEVER suppresses all DSNs. */
  public boolean wantsFailureNotice() {
    return notifyOn.isEmpty() || notifyOn.contains(Notify.FAILURE);
  }

  /** The domain part, lower-cased; used to group recipients by destination. */
  public String domain() {
    int at = address.lastIndexOf('@');
    return at < 0 ? "" : address.substring(at + 1).toLowerCase(java.util.Locale.ROOT);
  }
}
