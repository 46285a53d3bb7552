package io.sluice.delivery.kafka;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * The cooperative sticky assignment of the classic group protocol, made for each topic on its own.
 *
 * <p>The stock {@link CooperativeStickyAssignor} balances the count of partitions over all topics
 * together. Delivery subscribes to sluice.submitted and to every deferred tier (5 × 3 partitions by
 * default against 6): on a scale-out from one instance to two, the instance that owned everything
 * keeps its first half, which is tier partitions, and the new one is handed all of sluice.submitted,
 * so one instance carries all the fresh load. Balancing each topic separately gives every instance
 * its share of sluice.submitted, as the range assignor does, while keeping the incremental
 * rebalance: only the partitions that change owner are revoked, the others keep delivering.
 */
public class PerTopicCooperativeAssignor extends CooperativeStickyAssignor {
  /** The name members advertise; every member of a group must offer it. */
  public static final String NAME = "sluice-per-topic-cooperative-sticky";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Map<String, List<TopicPartition>> assignPartitions(Map<String, List<PartitionInfo>> partitionsPerTopic,
      Map<String, Subscription> subscriptions) {
    Map<String, List<TopicPartition>> assignment = new HashMap<>();
    subscriptions.keySet().forEach(member -> assignment.put(member, new ArrayList<>()));
    // Sorted, so that every leader computes the same assignment from the same input.
    for (Map.Entry<String, List<PartitionInfo>> topic : new TreeMap<>(partitionsPerTopic).entrySet()) {
      Map<String, Subscription> subscribers = subscribersOf(topic.getKey(), subscriptions);
      if (subscribers.isEmpty()) {
        continue;
      }
      // Each call revokes, within this topic, what changes owner (the stock cooperative adjustment).
      super.assignPartitions(Map.of(topic.getKey(), topic.getValue()), subscribers)
          .forEach((member, partitions) -> assignment.get(member).addAll(partitions));
    }
    return assignment;
  }

  /** The members subscribed to {@code topic}, each seen as owning only its partitions of that topic. */
  private static Map<String, Subscription> subscribersOf(String topic, Map<String, Subscription> subscriptions) {
    Map<String, Subscription> out = new HashMap<>();
    subscriptions.forEach((member, s) -> {
      if (s.topics().contains(topic)) {
        List<TopicPartition> owned = s.ownedPartitions().stream().filter(tp -> tp.topic().equals(topic)).toList();
        // A copy of the user data: the assignor may read it once per topic.
        ByteBuffer userData = s.userData() == null ? null : s.userData().duplicate();
        Subscription one = new Subscription(List.of(topic), userData, owned, s.generationId().orElse(DEFAULT_GENERATION),
            s.rackId());
        one.setGroupInstanceId(s.groupInstanceId());
        out.put(member, one);
      }
    });
    return out;
  }
}
