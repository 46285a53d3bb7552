package io.sluice.delivery.suppress;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.schema.SuppressionEntry;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SuppressionViewTest {
  private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
  private final SuppressionView view = new SuppressionView();

  private static SuppressionEntry entry(String address, Instant expiresAt) {
    return new SuppressionEntry(address, "550 5.1.1 unknown", "BOUNCE", null, expiresAt, NOW);
  }

  @Test
  void anActiveEntryBlocksWhateverTheCaseOfTheAddress() {
    view.apply("bob@example.net", entry("bob@example.net", NOW.plusSeconds(60)));

    assertThat(view.blocking("Bob@Example.NET", NOW)).hasValueSatisfying(l -> {
      assertThat(l.source()).isEqualTo("BOUNCE");
      assertThat(l.expiresAt()).isEqualTo(NOW.plusSeconds(60));
    });
    assertThat(view.blocking("alice@example.net", NOW)).isEmpty();
  }

  @Test
  void anExpiredEntryIsIgnoredAndAPermanentOneNeverExpires() {
    view.apply("old@example.net", entry("old@example.net", NOW));
    view.apply("forever@example.net", entry("forever@example.net", null));

    assertThat(view.blocking("old@example.net", NOW.minusMillis(1))).isPresent();
    assertThat(view.blocking("old@example.net", NOW)).isEmpty();
    assertThat(view.blocking("forever@example.net", Instant.MAX)).isPresent();
    assertThat(view.size()).isEqualTo(2);
  }

  @Test
  void theLatestRecordOfAnAddressWinsAndATombstoneRemovesIt() {
    view.apply("bob@example.net", entry("bob@example.net", NOW.minusSeconds(1)));
    view.apply("bob@example.net", entry("bob@example.net", NOW.plusSeconds(3600)));
    assertThat(view.blocking("bob@example.net", NOW)).isPresent();

    view.apply("BOB@example.net", null);
    assertThat(view.blocking("bob@example.net", NOW)).isEmpty();
    assertThat(view.size()).isZero();
  }

  @Test
  void loadedOnlyOnceMarked() throws InterruptedException {
    assertThat(view.isLoaded()).isFalse();
    assertThat(view.awaitLoaded(Duration.ofMillis(10))).isFalse();
    view.markLoaded();
    assertThat(view.isLoaded()).isTrue();
    assertThat(view.awaitLoaded(Duration.ZERO)).isTrue();
  }
}
