package io.sluice.bounce;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;
import java.util.UUID;

/**
 * Other engineers' tests share the broker and its topics: this instance consumes sluice.events in a
 * group of its own, from the end of the topic (auto-offset-reset=latest in %test).
 */
public class UniqueGroupProfile implements QuarkusTestProfile {
  @Override
  public Map<String, String> getConfigOverrides() {
    return Map.of("sluice.bounce.consumer.group-id", "sluice-bounce-test-" + UUID.randomUUID());
  }
}
