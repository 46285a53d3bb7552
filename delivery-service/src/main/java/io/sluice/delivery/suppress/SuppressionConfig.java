package io.sluice.delivery.suppress;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Enforcement of the suppression list; each key is documented in docs/configuration.md. */
@ConfigMapping(prefix = "sluice.delivery.suppression")
public interface SuppressionConfig {
  /**
   * Read sluice.suppressions and bounce suppressed recipients without contacting their servers.
   * With false the topic is not read and every recipient is attempted.
   */
  @WithDefault("true")
  boolean enabled();
}
