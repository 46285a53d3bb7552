package io.sluice.bounce.kafka;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.sluice.schema.KafkaHeaders;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Contract 6: W3C trace context travels in the Kafka headers traceparent/tracestate. Always the W3C
 * format, whatever propagators OpenTelemetry is configured with, because the other services read it.
 */
@ApplicationScoped
public class TraceHeaders {
  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

  private static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Headers carrier) {
      return List.of(KafkaHeaders.TRACEPARENT, KafkaHeaders.TRACESTATE);
    }

    @Override
    public String get(Headers carrier, String key) {
      Header h = carrier == null ? null : carrier.lastHeader(key);
      return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.US_ASCII);
    }
  };

  private static final TextMapSetter<Headers> SETTER = (carrier, key, value) -> {
    carrier.remove(key);
    carrier.add(key, value.getBytes(StandardCharsets.US_ASCII));
  };

  @Inject OpenTelemetry openTelemetry;

  private Tracer tracer() {
    return openTelemetry.getTracer("io.sluice.bounce");
  }

  /** The context carried by a consumed record (root when it has none). */
  public Context extract(Headers headers) {
    return W3C.extract(Context.root(), headers, GETTER);
  }

  /** Starts a span as a child of {@code parent}; the caller ends it. */
  public Span start(String name, Context parent, SpanKind kind) {
    return tracer().spanBuilder(name).setParent(parent).setSpanKind(kind).startSpan();
  }

  /** Writes the context of {@code span} into {@code headers}. */
  public void inject(Span span, Context parent, Headers headers) {
    W3C.inject(parent.with(span), headers, SETTER);
  }
}
