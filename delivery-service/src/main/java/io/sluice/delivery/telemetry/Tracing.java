package io.sluice.delivery.telemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.sluice.schema.KafkaHeaders;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Contract 6: the W3C trace context travels in the Kafka headers {@code traceparent} and
 * {@code tracestate}. Each delivery attempt is a span, child of the context found on the record,
 * and every record delivery produces carries the attempt's context on.
 */
@Singleton // no client proxy to resolve on every call: it is called for every message
public class Tracing {
  private static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Headers headers) {
      List<String> keys = new ArrayList<>();
      for (Header h : headers) {
        keys.add(h.key());
      }
      return keys;
    }

    @Override
    public String get(Headers headers, String key) {
      if (headers == null) {
        return null;
      }
      Header h = headers.lastHeader(key);
      return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
  };

  private static final TextMapSetter<Headers> SETTER = (headers, key, value) -> {
    if (headers != null) {
      headers.remove(key);
      headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }
  };

  private final OpenTelemetry openTelemetry;
  private final Tracer tracer;

  @Inject
  public Tracing(OpenTelemetry openTelemetry) {
    this.openTelemetry = openTelemetry;
    this.tracer = openTelemetry.getTracer("io.sluice.delivery");
  }

  public Context extract(Headers headers) {
    return openTelemetry.getPropagators().getTextMapPropagator().extract(Context.root(), headers, GETTER);
  }

  public void inject(Context context, Headers headers) {
    openTelemetry.getPropagators().getTextMapPropagator().inject(context, headers, SETTER);
  }

  /** Puts a trace context on a record that delivery writes (contract 6). */
  @FunctionalInterface
  public interface Stamp {
    void onto(Headers headers);
  }

  /** Stamps records with {@code context}, e.g. an attempt span's. */
  public Stamp stamp(Context context) {
    return headers -> inject(context, headers);
  }

  /**
   * Stamps records with the source record's own trace headers, unparsed: for records written without
   * an attempt span (a paused destination's deferrals), where extracting and injecting the same
   * context again cost the consumer thread a parse and two formats per record.
   */
  public static Stamp copiedFrom(Headers source) {
    Header parent = source.lastHeader(KafkaHeaders.TRACEPARENT);
    Header state = source.lastHeader(KafkaHeaders.TRACESTATE);
    return headers -> {
      if (parent != null) {
        headers.add(new RecordHeader(KafkaHeaders.TRACEPARENT, parent.value()));
      }
      if (state != null) {
        headers.add(new RecordHeader(KafkaHeaders.TRACESTATE, state.value()));
      }
    };
  }

  /** A span for one delivery attempt of one message, as a child of the record's trace. */
  public Span startAttempt(Context parent, String queueId, int attempt, String sourceTopic) {
    return tracer.spanBuilder("deliver " + sourceTopic)
        .setParent(parent)
        .setSpanKind(SpanKind.CONSUMER)
        .setAttribute("messaging.system", "kafka")
        .setAttribute("messaging.source.name", sourceTopic)
        .setAttribute("sluice.queue_id", queueId)
        .setAttribute("sluice.attempt", attempt)
        .startSpan();
  }

  /** Header names this class writes, for tests and documentation. */
  public static List<String> headerNames() {
    return List.of(KafkaHeaders.TRACEPARENT, KafkaHeaders.TRACESTATE);
  }
}
