package io.sluice.delivery.attempt;

import io.sluice.schema.SubmittedMessage;
import java.time.Instant;
import java.util.List;

/**
 * Everything one attempt of one message produced: an outcome for every recipient it was given.
 *
 * @param attempt the 1-based number of this attempt ({@code message.attempt() + 1})
 * @param finishedAt when the attempt ended
 */
public record AttemptReport(SubmittedMessage message, int attempt, Instant finishedAt, List<RecipientOutcome> outcomes) {
  public AttemptReport {
    outcomes = List.copyOf(outcomes);
  }
}
