package io.sluice.delivery.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.delivery.suppress.SuppressionFollower;
import io.sluice.schema.AvroCodec;
import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import io.sluice.schema.QueueIds;
import io.sluice.schema.Recipient;
import io.sluice.schema.Ret;
import io.sluice.schema.SubmittedMessage;
import io.sluice.schema.SuppressionEntry;
import io.sluice.schema.Topics;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The suppression list as delivery enforces it, against the real broker and a real SMTP server: an
 * entry published on sluice.suppressions bounces its recipient with 550 5.7.1 before any connection,
 * a tombstone or an expiry lets mail through again. Also the RET=FULL body on failure events.
 */
@QuarkusTest
@QuarkusTestResource(DeliveryTestResources.class)
class SuppressionEnforcementTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  @Inject
  DeliveryConsumer consumer;

  @Inject
  SuppressionFollower follower;

  private final AvroCodec<DeliveryEvent> events = AvroCodec.deliveryEvents();
  private final AvroCodec<SubmittedMessage> messages = AvroCodec.submittedMessages();
  private final AvroCodec<SuppressionEntry> entries = AvroCodec.suppressionEntries();
  private KafkaProducer<String, byte[]> producer;

  @BeforeEach
  void setUp() throws InterruptedException {
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    await(() -> consumer.assignment().stream().filter(tp -> tp.topic().equals(Topics.SUBMITTED)).count() == 6);
    await(() -> follower.view().isLoaded());
  }

  @AfterEach
  void tearDown() {
    producer.close(Duration.ofSeconds(5));
  }

  @Test
  void aSuppressedRecipientBouncesWith571WithoutReachingTheServerUntilItsEntryIsDeleted() throws Exception {
    String blocked = "Blocked-" + UUID.randomUUID() + "@" + DeliveryTestResources.ACCEPT;
    String other = "ok-" + UUID.randomUUID() + "@" + DeliveryTestResources.ACCEPT;
    publishEntry(blocked, null);

    try (TopicWatcher watcher = new TopicWatcher(bootstrap, Topics.EVENTS)) {
      String marker = UUID.randomUUID().toString();
      SubmittedMessage m = submit(marker, null, blocked, other);
      List<DeliveryEvent> found = decode(watcher.await(r -> m.queueId().equals(r.key()), 2, WAIT));

      assertThat(found).hasSize(2);
      assertThat(found).filteredOn(e -> e.recipient().address().equals(blocked)).singleElement().satisfies(e -> {
        assertThat(e.type()).isEqualTo(EventType.BOUNCED);
        assertThat(e.reply().code()).isEqualTo(550);
        assertThat(e.reply().enhancedStatus()).isEqualTo("5.7.1");
        assertThat(e.reply().text()).contains("suppression list");
        assertThat(e.remoteMta()).isNull();
        assertThat(e.failuresInAttempt()).isEqualTo(1);
        assertThat(e.message()).as("summary for the DSN").isNotNull();
      });
      assertThat(found).filteredOn(e -> e.recipient().address().equals(other)).singleElement()
          .satisfies(e -> assertThat(e.type()).isEqualTo(EventType.DELIVERED));
      assertThat(transactionsWith(marker)).singleElement()
          .satisfies(t -> assertThat(t.rcpts()).singleElement().asString().contains(other));
      assertThat(rcptsTo(blocked)).as("the suppressed address never reaches the server").isZero();
    }

    // A tombstone (the API's delete) takes the address off the list.
    producer.send(new ProducerRecord<>(Topics.SUPPRESSIONS, SuppressionEntry.key(blocked), null)).get();
    await(() -> follower.view().blocking(blocked, Instant.now()).isEmpty());
    assertDelivered(blocked);
  }

  @Test
  void anExpiredEntryNoLongerBlocks() throws Exception {
    String address = "expired-" + UUID.randomUUID() + "@" + DeliveryTestResources.ACCEPT;
    publishEntry(address, Instant.now().plusSeconds(2));
    Thread.sleep(2100);
    assertDelivered(address);
  }

  @Test
  void onlyTheLastFailureEventOfARetFullAttemptCarriesTheWholeMessage() throws Exception {
    try (TopicWatcher watcher = new TopicWatcher(bootstrap, Topics.EVENTS)) {
      String delivered = "full-" + UUID.randomUUID() + "@" + DeliveryTestResources.ACCEPT;
      SubmittedMessage m = submit(UUID.randomUUID().toString(), Ret.FULL,
          "full-a-" + UUID.randomUUID() + "@" + DeliveryTestResources.REJECT, delivered,
          "full-b-" + UUID.randomUUID() + "@" + DeliveryTestResources.REJECT);
      SubmittedMessage hdrs = submit(UUID.randomUUID().toString(), Ret.HDRS,
          "hdrs-" + UUID.randomUUID() + "@" + DeliveryTestResources.REJECT);

      List<ConsumerRecord<String, byte[]>> full = watcher.await(r -> m.queueId().equals(r.key()), 3, WAIT);
      List<DeliveryEvent> headersOnly = decode(watcher.await(r -> hdrs.queueId().equals(r.key()), 1, WAIT));

      List<DeliveryEvent> bounced = decode(full.stream()
          .sorted(java.util.Comparator.comparingLong(ConsumerRecord::offset)).toList()).stream()
          .filter(e -> e.type() == EventType.BOUNCED).toList();
      assertThat(bounced).hasSize(2).allSatisfy(e -> {
        assertThat(e.failuresInAttempt()).isEqualTo(2);
        assertThat(e.message().headers()).isNotEmpty();
      });
      assertThat(bounced.getFirst().message().content()).as("written before the last failure").isNull();
      assertThat(bounced.getLast().message().content()).isEqualTo(m.content());
      assertThat(decode(full)).filteredOn(e -> e.type() == EventType.DELIVERED).singleElement()
          .satisfies(e -> assertThat(e.message()).isNull());
      assertThat(headersOnly).singleElement().satisfies(e -> {
        assertThat(e.type()).isEqualTo(EventType.BOUNCED);
        assertThat(e.message().content()).isNull();
      });
    }
  }

  private void assertDelivered(String address) throws Exception {
    try (TopicWatcher watcher = new TopicWatcher(bootstrap, Topics.EVENTS)) {
      SubmittedMessage m = submit(UUID.randomUUID().toString(), null, address);
      assertThat(decode(watcher.await(r -> m.queueId().equals(r.key()), 1, WAIT))).singleElement()
          .satisfies(e -> assertThat(e.type()).isEqualTo(EventType.DELIVERED));
    }
  }

  private void publishEntry(String address, Instant expiresAt) throws Exception {
    SuppressionEntry entry = new SuppressionEntry(SuppressionEntry.key(address), "test", "API", null, expiresAt,
        Instant.now());
    producer.send(new ProducerRecord<>(Topics.SUPPRESSIONS, entry.address(), entries.encode(entry))).get();
    await(() -> follower.view().blocking(address, Instant.now()).isPresent());
  }

  private SubmittedMessage submit(String marker, Ret ret, String... rcpts) throws Exception {
    String queueId = new QueueIds().next();
    String content = "From: <sender@src.test>\r\nSubject: " + marker + "\r\nMessage-ID: <" + marker
        + "@src.test>\r\n\r\nHello.\r\n";
    SubmittedMessage m = SubmittedMessage.accepted(queueId, Instant.now(), "192.0.2.7", "client.test",
        "sender@src.test", null, ret, false, Arrays.stream(rcpts).map(Recipient::of).toList(),
        content.getBytes(StandardCharsets.UTF_8));
    producer.send(new ProducerRecord<>(Topics.SUBMITTED, queueId, messages.encode(m))).get();
    return m;
  }

  private List<DeliveryEvent> decode(List<ConsumerRecord<String, byte[]>> records) {
    return records.stream().map(r -> events.decode(r.value())).toList();
  }

  private static List<io.sluice.delivery.transport.TestSmtpServer.Transaction> transactionsWith(String marker) {
    return DeliveryTestResources.accepting.transactions.stream()
        .filter(t -> new String(t.data(), StandardCharsets.UTF_8).contains(marker)).toList();
  }

  private static long rcptsTo(String address) {
    return DeliveryTestResources.accepting.allCommands.stream()
        .filter(c -> c.toLowerCase(java.util.Locale.ROOT).contains(address.toLowerCase(java.util.Locale.ROOT)))
        .count();
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(WAIT);
    while (!condition.getAsBoolean()) {
      assertThat(Instant.now()).as("condition reached in time").isBefore(deadline);
      Thread.sleep(50);
    }
  }
}
