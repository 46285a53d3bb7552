package io.sluice.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicsTest {
  @Test
  void deferredTopicsAreNamedAfterTheirTier() {
    assertThat(Topics.deferred("5m")).isEqualTo("sluice.deferred.5m");
  }

  @Test
  void tierNamesThatWouldMakeOddTopicNamesAreRefused() {
    assertThatThrownBy(() -> Topics.deferred("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Topics.deferred("a.b")).isInstanceOf(IllegalArgumentException.class);
  }
}
