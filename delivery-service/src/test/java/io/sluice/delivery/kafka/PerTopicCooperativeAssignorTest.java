package io.sluice.delivery.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PerTopicCooperativeAssignorTest {
  private static final String SUBMITTED = "sluice.submitted";
  /** Delivery's default topics: tiers sort before sluice.submitted, which is what misled the stock assignor. */
  private static final Map<String, Integer> TOPICS = Map.of(SUBMITTED, 6, "sluice.deferred.1m", 3,
      "sluice.deferred.5m", 3, "sluice.deferred.30m", 3, "sluice.deferred.2h", 3, "sluice.deferred.6h", 3);

  private final PerTopicCooperativeAssignor assignor = new PerTopicCooperativeAssignor();

  @Test
  void aScaleOutGivesTheNewMemberItsShareOfEachTopicAndMovesOnlyWhatChangesOwner() {
    Map<String, List<TopicPartition>> alone = assign(Map.of("a", List.of()), 0);
    assertThat(alone.get("a")).hasSize(21);

    // b joins; a still owns everything, in the order it was handed to it.
    Map<String, List<TopicPartition>> first = assign(Map.of("a", alone.get("a"), "b", List.of()), 1);
    assertThat(alone.get("a")).as("a keeps what it does not give up").containsAll(first.get("a"));
    assertThat(first.get("b")).as("nothing a owned goes to b before a revoked it").isEmpty();

    // The follow-up rebalance, once a revoked them, hands the moved partitions to b.
    Map<String, List<TopicPartition>> second = assign(Map.of("a", first.get("a"), "b", first.get("b")), 2);
    assertThat(second.get("a")).containsExactlyInAnyOrderElementsOf(first.get("a"));
    for (String member : List.of("a", "b")) {
      assertThat(second.get(member).stream().filter(tp -> tp.topic().equals(SUBMITTED)))
          .as("%s's share of %s", member, SUBMITTED).hasSize(3);
      for (String tier : TOPICS.keySet().stream().filter(t -> !t.equals(SUBMITTED)).toList()) {
        assertThat(second.get(member).stream().filter(tp -> tp.topic().equals(tier)).count())
            .as("%s's share of %s", member, tier).isBetween(1L, 2L);
      }
    }
    Set<TopicPartition> all = new HashSet<>(second.get("a"));
    all.addAll(second.get("b"));
    assertThat(all).hasSize(21);
    assertThat(second.get("a")).doesNotContainAnyElementsOf(second.get("b"));
  }

  @Test
  void aMemberLeavingHandsItsPartitionsToTheOthersAtOnce() {
    Map<String, List<TopicPartition>> pair = assign(Map.of("a", List.of(), "b", List.of()), 0);
    Map<String, List<TopicPartition>> after = assign(Map.of("a", pair.get("a")), 1);
    assertThat(after.get("a")).hasSize(21).containsAll(pair.get("a"));
  }

  private Map<String, List<TopicPartition>> assign(Map<String, List<TopicPartition>> owned, int generation) {
    Map<String, Subscription> subscriptions = new HashMap<>();
    owned.forEach((member, partitions) -> subscriptions.put(member, new Subscription(new ArrayList<>(TOPICS.keySet()),
        null, partitions, generation, Optional.empty())));
    return assignor.assign(TOPICS, subscriptions);
  }
}
