package io.sluice.schema;

/**
 * A Kafka record value that is not a Sluice record this library can read: corrupt bytes, an unknown
 * schema fingerprint, or a value that breaks an invariant. Consumers move such records to
 * {@link Topics#DEAD} whole and carry on; they never drop them silently.
 */
public final class UnreadableRecordException extends RuntimeException {
  public UnreadableRecordException(String message, Throwable cause) {
    super(message, cause);
  }
}
