package io.sluice.bounce.dsn;

/**
 * RFC 3464 §2.3.3 Action values this MTA reports. The first digit of each recipient's Status must
 * agree with the action: 5 for failed, 4 for delayed, 2 for delivered.
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

  /** The class digit that every Status of this action starts with. */
  public char statusClass() {
    return statusClass;
  }
}
