package io.sluice.schema;

/** Kafka record header names shared by the services. */
public final class KafkaHeaders {
  /** W3C trace context (contract 6): set by ingress, carried through every attempt to the DSN. */
  public static final String TRACEPARENT = "traceparent";

  public static final String TRACESTATE = "tracestate";

  /** On sluice.dead: the topic the record came from. */
  public static final String DEAD_SOURCE_TOPIC = "sluice-dead-source-topic";

  /** On sluice.dead: why the record could not be processed. */
  public static final String DEAD_REASON = "sluice-dead-reason";

  private KafkaHeaders() {}
}
