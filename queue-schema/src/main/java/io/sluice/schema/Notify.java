package io.sluice.schema;

/** RFC 3461 §4.1 NOTIFY values. */
public enum Notify {
  NEVER,
  SUCCESS,
  FAILURE,
  DELAY
}
