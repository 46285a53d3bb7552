package io.sluice.delivery.shaping;

/** A slot in a destination's window. Release exactly once, with what the transaction showed. */
public interface Permit {
  void release(TransactionFeedback feedback);

  /** Shorthand: a reached server counts as {@link TransactionFeedback#ANSWERED}. */
  default void release(boolean reachedServer) {
    release(reachedServer ? TransactionFeedback.ANSWERED : TransactionFeedback.UNREACHABLE);
  }
}
