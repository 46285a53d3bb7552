package io.sluice.delivery.shaping;

/** A slot in a destination's window. Release exactly once, saying whether the server was reached. */
public interface Permit {
  void release(boolean reachedServer);
}
