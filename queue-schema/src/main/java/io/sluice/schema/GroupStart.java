package io.sluice.schema;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Fixes where a consumer group starts on partitions it never committed. {@code auto.offset.reset}
 * decides that start, but only until the group's first commit there: a partition handed to another
 * member before then is reset again on its new owner, and with {@code latest} that skips the records
 * the first owner had not finished. Committing the start at assignment decides it once per group.
 */
public final class GroupStart {
  private GroupStart() {}

  /**
   * Call from {@code onPartitionsAssigned}: commits the current position of every partition in
   * {@code partitions} that has no committed offset yet.
   *
   * @return the partitions whose start was committed now
   */
  public static Set<TopicPartition> commitUncommitted(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
    Map<TopicPartition, OffsetAndMetadata> starts = new HashMap<>();
    for (TopicPartition tp : partitions) {
      if (committed.get(tp) == null) {
        starts.put(tp, new OffsetAndMetadata(consumer.position(tp)));
      }
    }
    if (!starts.isEmpty()) {
      consumer.commitSync(starts);
    }
    return starts.keySet();
  }
}
