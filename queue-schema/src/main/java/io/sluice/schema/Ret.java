package io.sluice.schema;

/** RFC 3461 §4.3 RET: return the full message or only its headers in a DSN. */
public enum Ret {
  FULL,
  HDRS
}
