package io.sluice.bounce;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.bounce.consume.EventConsumer;
import io.sluice.schema.Topics;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A group that never committed (tests run with auto-offset-reset=latest) fixes where it starts on
 * every partition as soon as it is assigned, before any event arrives: a partition handed to
 * another member before its first commit must not be reset to the end again there.
 */
@QuarkusTest
@TestProfile(GroupStartTest.FreshGroup.class)
class GroupStartTest {
  /** A group of its own, in an application instance of its own: nothing else consumes in it. */
  public static class FreshGroup extends UniqueGroupProfile {}

  @Inject EventConsumer consumer;

  @ConfigProperty(name = "sluice.bounce.consumer.group-id")
  String group;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  @Test
  void aNewGroupCommitsItsStartOnEveryPartitionAtOnce() throws Exception {
    TestKafka.awaitAssigned(consumer, Duration.ofSeconds(60));
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      int partitions = admin.describeTopics(Set.of(Topics.EVENTS)).allTopicNames().get().get(Topics.EVENTS)
          .partitions().size();
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();

      assertThat(committed.keySet().stream().filter(tp -> tp.topic().equals(Topics.EVENTS))
          .map(TopicPartition::partition).collect(Collectors.toSet()))
          .as("partitions of %s with a committed start", Topics.EVENTS)
          .hasSize(partitions);
    }
  }
}
