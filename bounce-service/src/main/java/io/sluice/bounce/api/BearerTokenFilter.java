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
import java.util.Map;

/**
 * Every REST resource of this service (the tracking API under /api) requires {@code Authorization:
 * Bearer <token>} (RFC 6750 §2.1), the token being {@code sluice.bounce.api.token} or, during a
 * rotation, {@code sluice.bounce.api.next-token}. Without a configured token nothing is let in.
 * Health, metrics and the OpenAPI document live under /q and are not JAX-RS resources.
 */
@Provider
public class BearerTokenFilter implements ContainerRequestFilter {
  // Filters are built at static init, before runtime config exists: look the mapping up per request.
  @Inject Instance<BounceConfig> config;

  @Override
  public void filter(ContainerRequestContext request) {
    BounceConfig.Api api = config.get().api();
    ApiTokens tokens = ApiTokens.of(api.token(), api.nextToken());
    String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    String given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : null;
    if (!tokens.accepts(given)) {
      String why = tokens.isEmpty()
          ? "no API token is configured (sluice.bounce.api.token); every request is refused"
          : given == null ? "missing bearer token" : "wrong bearer token";
      request.abortWith(Response.status(Response.Status.UNAUTHORIZED)
          .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"sluice-bounce\"")
          .type(MediaType.APPLICATION_JSON_TYPE)
          .entity(Map.of("error", "unauthorized", "detail", why)).build());
    }
  }
}
