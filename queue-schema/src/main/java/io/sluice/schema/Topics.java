package io.sluice.schema;

/**
 * Names of the Kafka topics Sluice owns. deploy/local/kafka.sh and the Strimzi manifests create them;
 * keep both in step with this class.
 */
public final class Topics {
  /** Messages accepted by ingress. Key: queue id. Value: {@link SubmittedMessage}. */
  public static final String SUBMITTED = "sluice.submitted";

  /** One {@link DeliveryEvent} per recipient outcome, plus RECEIVED from ingress. Key: queue id. */
  public static final String EVENTS = "sluice.events";

  /**
   * Compacted: the suppression list as bounce-service keeps it, one {@link SuppressionEntry} per
   * lower-cased address (the key); a tombstone removes an address. Delivery reads all of it.
   */
  public static final String SUPPRESSIONS = "sluice.suppressions";

  /** Records that could not be read or processed, kept byte for byte. */
  public static final String DEAD = "sluice.dead";

  private static final String DEFERRED_PREFIX = "sluice.deferred.";

  private Topics() {}

  /** The deferred topic of a retry tier, e.g. {@code deferred("5m")} is {@code sluice.deferred.5m}. */
  public static String deferred(String tier) {
    if (tier == null || tier.isBlank() || !tier.matches("[A-Za-z0-9_-]+")) {
      throw new IllegalArgumentException("tier name must be [A-Za-z0-9_-]+, got: " + tier);
    }
    return DEFERRED_PREFIX + tier;
  }
}
