package io.sluice.bounce.api;

import io.quarkus.runtime.StartupEvent;
import io.sluice.bounce.config.BounceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/** Says at startup when the tracking API cannot be used because no token is configured. */
@ApplicationScoped
public class TokenCheck {
  private static final Logger LOG = Logger.getLogger(TokenCheck.class);

  @Inject BounceConfig config;

  void onStart(@Observes StartupEvent ignored) {
    if (ApiTokens.of(config.api().token(), config.api().nextToken()).isEmpty()) {
      LOG.warn("sluice.bounce.api.token is not set: the tracking API under /api refuses every request with 401. "
          + "Events are still consumed and DSNs still sent. Set the token (env SLUICE_BOUNCE_API_TOKEN) to use the API.");
    }
  }
}
