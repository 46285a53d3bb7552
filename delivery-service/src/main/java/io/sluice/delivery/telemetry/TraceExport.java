package io.sluice.delivery.telemetry;

import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.ConfigValue;
import org.jboss.logging.Logger;

/**
 * Span export that is off unless an OTLP endpoint is configured at run time. Quarkus's own OTLP
 * exporter cannot do that: it is on or off at build time and, when on, sends to localhost:4317 by
 * default. This exporter is picked up by Quarkus's {@code cdi} span exporter and sends OTLP over
 * HTTP (protobuf) to {@code quarkus.otel.exporter.otlp.traces.endpoint} or
 * {@code quarkus.otel.exporter.otlp.endpoint} (e.g. {@code http://collector:4318}); the path
 * {@code /v1/traces} is added when missing. gRPC is not available here (no gRPC sender on the class
 * path): with {@code protocol=grpc} set explicitly, nothing is exported and a warning says so.
 */
@ApplicationScoped
public class TraceExport {
  private static final Logger LOG = Logger.getLogger(TraceExport.class);

  @Produces
  @Singleton
  SpanExporter spanExporter() {
    Config config = ConfigProvider.getConfig();
    Optional<String> endpoint = value(config, "quarkus.otel.exporter.otlp.traces.endpoint")
        .or(() -> value(config, "quarkus.otel.exporter.otlp.endpoint"));
    if (endpoint.isEmpty()) {
      LOG.info("Traces are not exported (no OTLP endpoint set); trace context still propagates in Kafka headers");
      return new Off();
    }
    String protocol = value(config, "quarkus.otel.exporter.otlp.traces.protocol")
        .or(() -> value(config, "quarkus.otel.exporter.otlp.protocol")).orElse("http/protobuf");
    if (protocol.toLowerCase(Locale.ROOT).startsWith("grpc")) {
      LOG.warnf("Traces are NOT exported: OTLP endpoint %s is set with protocol %s, but delivery exports OTLP over "
          + "HTTP only. Set quarkus.otel.exporter.otlp.protocol=http/protobuf and point the endpoint at the "
          + "collector's HTTP port (4318).", endpoint.get(), protocol);
      return new Off();
    }
    String url = endpoint.get().replaceAll("/+$", "");
    if (!url.endsWith("/v1/traces")) {
      url = url + "/v1/traces";
    }
    if (url.matches("^[a-zA-Z]+://[^/]+:4317(/.*)?$")) {
      LOG.warnf("OTLP endpoint %s uses 4317, the collector's gRPC port; delivery exports OTLP over HTTP (usually "
          + "port 4318)", url);
    }
    LOG.infof("Exporting traces over OTLP/HTTP to %s", url);
    return OtlpHttpSpanExporter.builder().setEndpoint(url).build();
  }

  /** A value someone set; Quarkus's built-in defaults (endpoint localhost:4317, protocol grpc) do not count. */
  private static Optional<String> value(Config config, String key) {
    ConfigValue v = config.getConfigValue(key);
    if (v == null || v.getValue() == null || v.getValue().isBlank() || isDefault(v)) {
      return Optional.empty();
    }
    return Optional.of(v.getValue().strip());
  }

  private static boolean isDefault(ConfigValue v) {
    String source = v.getSourceName() == null ? "" : v.getSourceName().toLowerCase(Locale.ROOT);
    return source.contains("default") || v.getSourceOrdinal() == Integer.MIN_VALUE;
  }

  /** Exports nothing. */
  static final class Off implements SpanExporter {
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
}
