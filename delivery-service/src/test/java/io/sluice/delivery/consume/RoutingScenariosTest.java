package io.sluice.delivery.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.schema.AvroCodec;
import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import io.sluice.schema.QueueIds;
import io.sluice.schema.Recipient;
import io.sluice.schema.SubmittedMessage;
import io.sluice.schema.Topics;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Issue 4's routing scenarios through the whole service, with MX answers from a real dnsmasq. */
@QuarkusTest
@QuarkusTestResource(DeliveryTestResources.class)
class RoutingScenariosTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  @Inject
  DeliveryConsumer consumer;

  private final AvroCodec<DeliveryEvent> events = AvroCodec.deliveryEvents();
  private KafkaProducer<String, byte[]> producer;

  @BeforeEach
  void setUp() throws InterruptedException {
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    Instant deadline = Instant.now().plus(WAIT);
    while (consumer.assignment().stream().filter(tp -> tp.topic().equals(Topics.SUBMITTED)).count() < 6
        && Instant.now().isBefore(deadline)) {
      Thread.sleep(100);
    }
  }

  @AfterEach
  void tearDown() {
    producer.close(Duration.ofSeconds(5));
  }

  private List<DeliveryEvent> deliver(int expectedEvents, String... rcpts) throws Exception {
    try (TopicWatcher watcher = new TopicWatcher(bootstrap, Topics.EVENTS)) {
      String queueId = new QueueIds().next();
      String marker = UUID.randomUUID().toString();
      SubmittedMessage m = SubmittedMessage.accepted(queueId, Instant.now(), "192.0.2.7", "client.test",
          "sender@src.test", null, null, false, Arrays.stream(rcpts).map(Recipient::of).toList(),
          ("Subject: " + marker + "\r\nMessage-ID: <" + marker + "@src.test>\r\n\r\nhi\r\n").getBytes(StandardCharsets.US_ASCII));
      producer.send(new ProducerRecord<>(Topics.SUBMITTED, queueId, AvroCodec.submittedMessages().encode(m))).get();
      return watcher.await(r -> queueId.equals(r.key()), expectedEvents, WAIT).stream()
          .map(r -> events.decode(r.value())).toList();
    }
  }

  @Test
  void whenTheFirstMxIsDownTheSecondGetsTheMail() throws Exception {
    List<DeliveryEvent> found = deliver(1, "a@" + DeliveryTestResources.TWO_MX);

    assertThat(found).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(EventType.DELIVERED);
      assertThat(e.remoteMta()).startsWith("mx2." + DeliveryTestResources.TWO_MX + "[127.0.0.1]");
    });
  }

  @Test
  void aNullMxBouncesAtOnceWith556() throws Exception {
    assertThat(deliver(1, "a@" + DeliveryTestResources.NULL_MX)).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(EventType.BOUNCED);
      assertThat(e.reply().code()).isEqualTo(556);
      assertThat(e.reply().enhancedStatus()).isEqualTo("5.1.10");
    });
  }

  @Test
  void aDomainThatDoesNotExistBouncesWith512() throws Exception {
    assertThat(deliver(1, "a@" + DeliveryTestResources.NO_SUCH_DOMAIN)).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(EventType.BOUNCED);
      assertThat(e.reply().enhancedStatus()).isEqualTo("5.1.2");
    });
  }

  @Test
  void anUnreachablePortDefersWithAConnectionReply() throws Exception {
    assertThat(deliver(1, "a@" + DeliveryTestResources.UNREACHABLE)).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(EventType.DEFERRED);
      assertThat(e.reply().enhancedStatus()).isEqualTo("4.4.1");
      assertThat(e.remoteMta()).contains("127.0.0.1");
    });
  }

  @Test
  void threeDomainsWithThreeOutcomesInOneMessage() throws Exception {
    List<DeliveryEvent> found = deliver(3, "ok@" + DeliveryTestResources.ACCEPT, "no@" + DeliveryTestResources.REJECT,
        "none@" + DeliveryTestResources.NULL_MX);

    assertThat(found).extracting(e -> e.recipient().domain() + ":" + e.type()).containsExactlyInAnyOrder(
        DeliveryTestResources.ACCEPT + ":DELIVERED", DeliveryTestResources.REJECT + ":BOUNCED",
        DeliveryTestResources.NULL_MX + ":BOUNCED");
    assertThat(found).filteredOn(e -> e.type() == EventType.BOUNCED)
        .allSatisfy(e -> assertThat(e.failuresInAttempt()).isEqualTo(2));
  }
}
