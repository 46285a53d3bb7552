package io.sluice.ingress.smtp;

/**
 * The RCPT TO path. {@link #POSTMASTER} is the bare {@code <Postmaster>} of RFC 5321 §4.1.1.3, which
 * names this server's own postmaster rather than a mailbox in some domain.
 */
public sealed interface ForwardPath {
  ForwardPath POSTMASTER = new Postmaster();

  record Postmaster() implements ForwardPath {
    @Override
    public String toString() {
      return "<Postmaster>";
    }
  }

  record Of(Mailbox mailbox) implements ForwardPath {
    @Override
    public String toString() {
      return "<" + mailbox + ">";
    }
  }
}
