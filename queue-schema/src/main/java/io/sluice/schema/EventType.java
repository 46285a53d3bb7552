package io.sluice.schema;

/**
 * What happened to one recipient. DELIVERED, BOUNCED and EXPIRED are final (contract 1); every
 * accepted recipient ends in exactly one of them. DEFERRED is an intermediate outcome.
 */
public enum EventType {
  RECEIVED,
  DELIVERED,
  DEFERRED,
  BOUNCED,
  EXPIRED;

  public boolean isFinal() {
    return this == DELIVERED || this == BOUNCED || this == EXPIRED;
  }
}
