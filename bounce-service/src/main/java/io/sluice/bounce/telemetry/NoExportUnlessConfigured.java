package io.sluice.bounce.telemetry;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.quarkus.arc.Unremovable;
import io.quarkus.arc.lookup.LookupIfProperty;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;

/**
 * Keeps tracing on (spans are created, W3C context propagates through Kafka headers) but exports
 * nothing until an OTLP endpoint is configured. Quarkus' OTLP exporter steps aside whenever the
 * application provides its own {@link SpanExporter} bean; this bean exists only while
 * {@code quarkus.otel.exporter.otlp.endpoint} is unset (i.e. has Quarkus' default), so setting that key brings the OTLP exporter
 * back at runtime. Without this, the default endpoint localhost:4317 is tried and fails every few
 * seconds.
 */
@ApplicationScoped
@Unremovable
// Quarkus gives the endpoint the default http://localhost:4317/ when it is not set.
@LookupIfProperty(name = "quarkus.otel.exporter.otlp.endpoint", stringValue = NoExportUnlessConfigured.UNSET,
    lookupIfMissing = true)
public class NoExportUnlessConfigured implements SpanExporter {
  static final String UNSET = "http://localhost:4317/";

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
