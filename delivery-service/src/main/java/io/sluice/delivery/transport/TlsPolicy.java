package io.sluice.delivery.transport;

/**
 * STARTTLS use per destination (RFC 3207).
 *
 * <ul>
 *   <li>{@code NONE}: never start TLS.
 *   <li>{@code OPPORTUNISTIC}: start TLS when offered, without verifying the certificate (RFC 7435);
 *       if the server refuses STARTTLS or the handshake fails, deliver in plaintext.
 *   <li>{@code REQUIRED}: deliver only over TLS (certificate not verified); a host without STARTTLS
 *       or with a failing handshake is skipped, and the mail is deferred when no host qualifies.
 * </ul>
 */
public enum TlsPolicy {
  NONE,
  OPPORTUNISTIC,
  REQUIRED
}
