package io.sluice.bounce.dsn;

import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;

/** What became of one report decision. */
public sealed interface Outcome {
  /** Not every failure of the attempt has arrived yet. */
  record Incomplete(int stored, int expected) implements Outcome {}

  /** Nothing to report, or an earlier run already decided it. */
  record NothingDue() implements Outcome {}

  /** Decided, and no DSN is due (null sender, NOTIFY, no summary); the reason is recorded. */
  record Skipped(DsnAction action, String reason) implements Outcome {}

  /** A DSN was published; {@code ack} completes when the broker has it (awaited before commit). */
  record Sent(DsnAction action, String dsnQueueId, int recipients, Future<RecordMetadata> ack) implements Outcome {}
}
