package io.sluice.ingress.publish;

/** How a publish to sluice.submitted ended. Only {@link Acked} may lead to a 250 (contract 1). */
public sealed interface PublishOutcome {
  /** The broker has the record with acks=all. */
  record Acked(String queueId, int partition, long offset) implements PublishOutcome {}

  /** The broker refused the record or could not be reached; nothing is promised to the client. */
  record Failed(String reason) implements PublishOutcome {}

  /**
   * No acknowledgement within the publish timeout. The producer may still deliver the record later,
   * so a client that retries after 451 can cause a duplicate; that is the at-least-once side of
   * contract 1, never a loss.
   */
  record TimedOut(long waitedMillis) implements PublishOutcome {}
}
