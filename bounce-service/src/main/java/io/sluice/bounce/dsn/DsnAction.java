package io.sluice.bounce.dsn;

/**
 * RFC 3464 §2.3.3 Action values this MTA reports, with the Status class each one normally carries:
 * 5 for failed, 4 for delayed, 2 for delivered. A failed report may also carry a 4.x.x status, for
 * a recipient given up after transient errors (RFC 3464 Appendix D.1 does exactly that).
 */
public enum DsnAction {
  FAILED("failed", '5'),
  DELAYED("delayed", '4'),
  DELIVERED("delivered", '2');

  private final String field;
  private final char statusClass;

  DsnAction(String field, char statusClass) {
    this.field = field;
    this.statusClass = statusClass;
  }

  /** The value of the Action field. */
  public String field() {
    return field;
  }

  /** The class digit a Status of this action normally starts with. */
  public char statusClass() {
    return statusClass;
  }

  /** Whether a Status of class {@code c} may accompany this action. */
  public boolean allowsStatusClass(char c) {
    return c == statusClass || (this == FAILED && c == '4');
  }
}
