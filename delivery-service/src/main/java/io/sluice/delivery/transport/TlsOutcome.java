package io.sluice.delivery.transport;

import java.util.Locale;

/**
 * What came of STARTTLS on a new connection whose policy allows TLS (counted for operators: a rise
 * in handshake failures or in servers that stopped offering TLS shows here, not in delivery results,
 * since opportunistic TLS goes on in plaintext).
 */
public enum TlsOutcome {
  /** TLS started and EHLO was said again. */
  NEGOTIATED,
  /** The server agreed (220) but the handshake failed. */
  HANDSHAKE_FAILED,
  /** The server answered STARTTLS with anything but 220. */
  REFUSED,
  /** The server did not offer STARTTLS (or did not speak EHLO). */
  NOT_OFFERED;

  /** The metric tag: {@code handshake-failed}, ... */
  public String tag() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
