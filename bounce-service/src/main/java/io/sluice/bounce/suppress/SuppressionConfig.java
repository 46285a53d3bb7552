package io.sluice.bounce.suppress;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Publishing the suppression list to sluice.suppressions; each key is in docs/configuration.md. */
@ConfigMapping(prefix = "sluice.bounce.suppression")
public interface SuppressionConfig {
  /**
   * Publish every entry of the table once at start, so that entries made before the topic existed,
   * or a recreated topic, reach delivery. Turn off only for a very large list whose topic is intact.
   */
  @WithDefault("true")
  boolean republishOnStart();
}
