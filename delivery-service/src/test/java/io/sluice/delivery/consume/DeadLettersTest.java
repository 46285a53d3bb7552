package io.sluice.delivery.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.schema.AvroCodec;
import io.sluice.schema.KafkaHeaders;
import io.sluice.schema.Topics;
import io.sluice.schema.UnreadableRecordException;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.assertj.core.api.Assertions;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** An unreadable record is kept whole on sluice.dead with its source and the reason. */
@QuarkusTest
@QuarkusTestResource(DeliveryTestResources.class)
class DeadLettersTest {
  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  @Inject
  DeadLetters deadLetters;

  @Test
  void anUnreadableRecordIsMovedWholeWithItsSourceAndReason() {
    byte[] garbage = ("not avro " + UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII);
    String key = "delivery-test-" + UUID.randomUUID();
    String reason = Assertions.catchThrowableOfType(UnreadableRecordException.class,
        () -> AvroCodec.submittedMessages().decode(garbage)).getMessage();

    try (TopicWatcher dead = new TopicWatcher(bootstrap, Topics.DEAD)) {
      deadLetters.send(new ConsumerRecord<>(Topics.SUBMITTED, 0, 42L, key, garbage), reason).join();

      assertThat(dead.await(r -> key.equals(r.key()), 1, Duration.ofSeconds(20))).singleElement().satisfies(r -> {
        assertThat(r.value()).isEqualTo(garbage);
        assertThat(new String(r.headers().lastHeader(KafkaHeaders.DEAD_SOURCE_TOPIC).value(), StandardCharsets.UTF_8))
            .isEqualTo(Topics.SUBMITTED);
        assertThat(new String(r.headers().lastHeader(KafkaHeaders.DEAD_REASON).value(), StandardCharsets.UTF_8))
            .isEqualTo(reason);
      });
    }
  }
}
