package io.sluice.ingress.smtp;

/**
 * The MAIL FROM path. {@link #NULL} is {@code <>}, the null reverse-path used by DSNs and other
 * notifications (RFC 5321 §4.5.5); it is a value of its own, not an empty string.
 */
public sealed interface ReversePath {
  ReversePath NULL = new Null();

  /** The address as carried on the queue: {@code ""} for the null path (queue-schema convention). */
  String address();

  record Null() implements ReversePath {
    @Override
    public String address() {
      return "";
    }

    @Override
    public String toString() {
      return "<>";
    }
  }

  record Of(Mailbox mailbox) implements ReversePath {
    @Override
    public String address() {
      return mailbox.toString();
    }

    @Override
    public String toString() {
      return "<" + mailbox + ">";
    }
  }
}
