package io.sluice.bounce.api;

import io.sluice.bounce.config.BounceConfig;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/**
 * Every REST resource of this service (the tracking API under /api) requires {@code Authorization:
 * Bearer <sluice.bounce.api.token>} (RFC 6750 §2.1). Without a configured token nothing is let in.
 * Health, metrics and the OpenAPI document live under /q and are not JAX-RS resources.
 */
@Provider
public class BearerTokenFilter implements ContainerRequestFilter {
  // Filters are built at static init, before runtime config exists: look the mapping up per request.
  @Inject Instance<BounceConfig> config;

  @Override
  public void filter(ContainerRequestContext request) {
    String expected = config.get().api().token().filter(t -> !t.isBlank()).orElse(null);
    String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    String given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : null;
    if (expected == null || given == null || !constantTimeEquals(expected, given)) {
      String why = expected == null
          ? "the API token is not configured (sluice.bounce.api.token); every request is refused"
          : given == null ? "missing bearer token" : "wrong bearer token";
      request.abortWith(Response.status(Response.Status.UNAUTHORIZED)
          .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"sluice-bounce\"")
          .type(MediaType.APPLICATION_JSON_TYPE)
          .entity(Map.of("error", "unauthorized", "detail", why)).build());
    }
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
