package io.sluice.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueueIdsTest {
  @Test
  void idsAreUlidShapedAndSortInGenerationOrder() {
    QueueIds ids = new QueueIds();
    List<String> generated = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      generated.add(ids.next());
    }
    assertThat(generated).allMatch(QueueIds::isQueueId);
    assertThat(generated).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void idsStayMonotonicWhenTheClockStandsStill() {
    QueueIds ids = new QueueIds(Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC));
    String a = ids.next();
    String b = ids.next();
    assertThat(b).isGreaterThan(a);
    assertThat(a.substring(0, 10)).isEqualTo(b.substring(0, 10));
  }

  @Test
  void timePartEncodesMillisecondsInCrockfordBase32() {
    // ULID spec example time prefix: 1469918176385 ms -> 01ARYZ6S41
    assertThat(QueueIds.encode(1469918176385L, 0, 0)).startsWith("01ARYZ6S41").endsWith("0000000000000000");
  }

  @Test
  void rejectsStringsThatAreNotQueueIds() {
    assertThat(QueueIds.isQueueId("01ARYZ6S41TSV4RRFFQ69G5FAV")).isTrue();
    assertThat(QueueIds.isQueueId("01ARYZ6S41TSV4RRFFQ69G5FA")).isFalse();
    assertThat(QueueIds.isQueueId("01ARYZ6S41TSV4RRFFQ69G5FAU")).isFalse(); // U is not Crockford
    assertThat(QueueIds.isQueueId(null)).isFalse();
  }
}
