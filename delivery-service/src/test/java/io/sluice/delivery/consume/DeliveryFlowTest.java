package io.sluice.delivery.consume;

import io.sluice.delivery.kafka.KafkaClientSettings;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.delivery.DeliveryConfig;
import io.sluice.delivery.transport.TestSmtpServer;
import io.sluice.schema.AvroCodec;
import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import io.sluice.schema.KafkaHeaders;
import io.sluice.schema.QueueIds;
import io.sluice.schema.Recipient;
import io.sluice.schema.SubmittedMessage;
import io.sluice.schema.Topics;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole service against the real broker: a SubmittedMessage on sluice.submitted is routed by a
 * static route to a test SMTP server on an ephemeral port, and its outcomes appear on sluice.events.
 */
@QuarkusTest
@QuarkusTestResource(DeliveryTestResources.class)
class DeliveryFlowTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  @Inject
  DeliveryConsumer consumer;

  @Inject
  DeliveryConfig config;

  @Inject
  io.sluice.delivery.attempt.AttemptRunner runner;

  @Inject
  io.sluice.delivery.outcome.OutcomeWriter writer;

  @Inject
  DeadLetters deadLetters;

  @Inject
  io.sluice.delivery.retry.TierMover mover;

  @Inject
  io.sluice.delivery.telemetry.Tracing tracing;

  @Inject
  io.micrometer.core.instrument.MeterRegistry registry;

  private final AvroCodec<DeliveryEvent> events = AvroCodec.deliveryEvents();
  private final AvroCodec<SubmittedMessage> messages = AvroCodec.submittedMessages();
  private KafkaProducer<String, byte[]> producer;

  @BeforeEach
  void setUp() throws InterruptedException {
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    awaitFirstOwnsAllPartitions();
    assertThat(submittedPartitions(consumer)).as("all partitions of sluice.submitted assigned").isEqualTo(6);
  }

  @AfterEach
  void tearDown() {
    producer.close(Duration.ofSeconds(5));
  }

  private SubmittedMessage submit(String from, String content, String... rcpts) throws Exception {
    return submitted(from, content, rcpts).message();
  }

  private record Submitted(SubmittedMessage message, org.apache.kafka.common.TopicPartition partition, long offset) {}

  private Submitted submitted(String from, String content, String... rcpts) throws Exception {
    return submitted(0, from, content, rcpts);
  }

  /** @param attempts attempts the message has had already (they set its next retry delay) */
  private Submitted submitted(int attempts, String from, String content, String... rcpts) throws Exception {
    String queueId = new QueueIds().next();
    SubmittedMessage m = new SubmittedMessage(queueId, Instant.now(), "192.0.2.7", "client.test", from, null, null,
        false, java.util.Arrays.stream(rcpts).map(Recipient::of).toList(), content.getBytes(StandardCharsets.UTF_8),
        attempts, null, List.of());
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.SUBMITTED, queueId, messages.encode(m));
    record.headers().add(KafkaHeaders.TRACEPARENT,
        ("00-" + TRACE_ID + "-00f067aa0ba902b7-01").getBytes(StandardCharsets.US_ASCII));
    org.apache.kafka.clients.producer.RecordMetadata at = producer.send(record).get();
    return new Submitted(m, new org.apache.kafka.common.TopicPartition(at.topic(), at.partition()), at.offset());
  }

  private static String content(String marker) {
    return "Received: from client.test by ingress.test; Mon, 23 Nov 2026 12:00:00 +0000\r\n"
        + "From: <sender@src.test>\r\nSubject: " + marker + "\r\nMessage-ID: <" + marker + "@src.test>\r\n\r\n"
        + "Hello.\r\n.A line with a leading dot.\r\n";
  }

  private List<DeliveryEvent> decode(List<ConsumerRecord<String, byte[]>> records) {
    return records.stream().map(r -> events.decode(r.value())).toList();
  }

  @Test
  void aMessageToAnAcceptingServerIsDeliveredByteForByteAndReportedWithTheTrace() throws Exception {
    try (TopicWatcher watcher = new TopicWatcher(bootstrap, Topics.EVENTS)) {
      String marker = UUID.randomUUID().toString();
      SubmittedMessage m = submit("sender@src.test", content(marker), "rcpt@" + DeliveryTestResources.ACCEPT);

      List<ConsumerRecord<String, byte[]>> found = watcher.await(r -> m.queueId().equals(r.key()), 1, WAIT);

      assertThat(decode(found)).singleElement().satisfies(e -> {
        assertThat(e.type()).isEqualTo(EventType.DELIVERED);
        assertThat(e.attempt()).isEqualTo(1);
        assertThat(e.reply().code()).isEqualTo(250);
        assertThat(e.remoteMta()).contains("127.0.0.1");
        assertThat(e.recipient().address()).isEqualTo("rcpt@" + DeliveryTestResources.ACCEPT);
      });
      Header traceparent = found.getFirst().headers().lastHeader(KafkaHeaders.TRACEPARENT);
      assertThat(traceparent).isNotNull();
      assertThat(new String(traceparent.value(), StandardCharsets.US_ASCII)).contains(TRACE_ID)
          .doesNotContain("00f067aa0ba902b7"); // a child span of the ingress span, same trace
      assertThat(DeliveryTestResources.accepting.transactions)
          .filteredOn(t -> new String(t.data(), StandardCharsets.UTF_8).contains(marker))
          .singleElement().satisfies(t -> {
            assertThat(t.data()).isEqualTo(m.content());
            assertThat(t.mailFrom()).startsWith("<sender@src.test>");
          });
    }
  }

  @Test
  void rejectedRecipientsBounceWithTheCountOfTheAttemptsFailuresAndTheOthersAreDelivered() throws Exception {
    try (TopicWatcher watcher = new TopicWatcher(bootstrap, Topics.EVENTS)) {
      String marker = UUID.randomUUID().toString();
      SubmittedMessage m = submit("sender@src.test", content(marker), "ok@" + DeliveryTestResources.ACCEPT,
          "x@" + DeliveryTestResources.REJECT, "y@" + DeliveryTestResources.REJECT);

      List<DeliveryEvent> found = decode(watcher.await(r -> m.queueId().equals(r.key()), 3, WAIT));

      assertThat(found).hasSize(3);
      assertThat(found).filteredOn(e -> e.type() == EventType.DELIVERED).singleElement()
          .satisfies(e -> assertThat(e.message()).isNull());
      assertThat(found).filteredOn(e -> e.type() == EventType.BOUNCED).hasSize(2).allSatisfy(e -> {
        assertThat(e.failuresInAttempt()).isEqualTo(2);
        assertThat(e.reply().code()).isEqualTo(550);
        assertThat(e.reply().enhancedStatus()).isEqualTo("5.1.1");
        assertThat(e.remoteMta()).isNotNull();
        assertThat(e.message().reversePath()).isEqualTo("sender@src.test");
        assertThat(e.message().messageId()).isEqualTo("<" + marker + "@src.test>");
        assertThat(new String(e.message().headers(), StandardCharsets.UTF_8)).endsWith("\r\n\r\n").contains(marker);
        assertThat(e.message().size()).isEqualTo(m.content().length);
      });
    }
  }

  @Test
  void aTemporaryFailureGoesToTheFirstTierWithOnlyThePendingRecipientsAndIsRetriedWhenDue() throws Exception {
    try (TopicWatcher watcher = new TopicWatcher(bootstrap, Topics.EVENTS);
        TopicWatcher tier = new TopicWatcher(bootstrap, Topics.deferred("1m"))) {
      String marker = UUID.randomUUID().toString();
      String later = "later-" + marker + "@" + DeliveryTestResources.DEFER;
      SubmittedMessage m = submit("sender@src.test", content(marker), "ok@" + DeliveryTestResources.ACCEPT, later);

      List<DeliveryEvent> found = decode(watcher.await(r -> m.queueId().equals(r.key()), 3, WAIT));
      List<ConsumerRecord<String, byte[]>> deferred = tier.await(r -> m.queueId().equals(r.key()), 1, WAIT);

      assertThat(found).extracting(DeliveryEvent::type)
          .containsExactlyInAnyOrder(EventType.DELIVERED, EventType.DEFERRED, EventType.DELIVERED);
      assertThat(found).filteredOn(e -> e.recipient().address().equals(later)).extracting(DeliveryEvent::type,
          DeliveryEvent::attempt).containsExactly(org.assertj.core.groups.Tuple.tuple(EventType.DEFERRED, 1),
          org.assertj.core.groups.Tuple.tuple(EventType.DELIVERED, 2));
      assertThat(found).filteredOn(e -> e.type() == EventType.DEFERRED).singleElement()
          .satisfies(e -> assertThat(e.reply().code()).isEqualTo(450));
      assertThat(deferred).singleElement().satisfies(r -> {
        SubmittedMessage pending = messages.decode(r.value());
        assertThat(pending.recipients()).extracting(Recipient::address).containsExactly(later);
        assertThat(pending.attempt()).isEqualTo(1);
        assertThat(pending.notBefore()).isAfter(m.receivedAt().plusMillis(1500));
        assertThat(pending.history()).singleElement().satisfies(a -> assertThat(a.reply().code()).isEqualTo(450));
        assertThat(pending.content()).isEqualTo(m.content());
        assertThat(r.headers().lastHeader(KafkaHeaders.TRACEPARENT)).isNotNull();
      });
    }
  }

  @Test
  void mailToAPausedDestinationIsDeferredToATierWithoutConnectingAndItsOffsetsAreCommitted() throws Exception {
    int threshold = config.shaping().tempfailThreshold();
    TestSmtpServer server = DeliveryTestResources.tempfailing;
    // Eight attempts already: the next retry is 7-9 minutes away, in the 5m tier. In the 1m tier
    // these deferrals would come back every few seconds while the test JVM runs, and a tier
    // partition is held for its head record, so other tests' records there would wait behind them.
    int attempts = 8;
    try (TopicWatcher watcher = new TopicWatcher(bootstrap, Topics.EVENTS);
        TopicWatcher tier = new TopicWatcher(bootstrap, Topics.deferred("5m"));
        org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
            Map.of(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      // Enough transactions in which the server defers every recipient to pause the destination.
      java.util.Set<String> tried = new java.util.HashSet<>();
      for (int i = 0; i < threshold; i++) {
        tried.add(submitted(attempts, "sender@src.test", content("tried-" + i),
            "r" + i + "@" + DeliveryTestResources.TEMPFAIL).message().queueId());
      }
      watcher.await(r -> tried.contains(r.key()), threshold, WAIT);
      long mailsBefore = server.mailCommands();

      List<Submitted> paused = new java.util.ArrayList<>();
      for (int i = 0; i < 5; i++) {
        paused.add(submitted(attempts, "sender@src.test", content("paused-" + i),
            "p" + i + "@" + DeliveryTestResources.TEMPFAIL));
      }
      java.util.Set<String> ids = new java.util.HashSet<>();
      paused.forEach(p -> ids.add(p.message().queueId()));
      List<DeliveryEvent> found = decode(watcher.await(r -> ids.contains(r.key()), 5, WAIT));
      List<ConsumerRecord<String, byte[]>> deferred = tier.await(r -> ids.contains(r.key()), 5, WAIT);

      assertThat(found).hasSize(5).allSatisfy(e -> {
        assertThat(e.type()).isEqualTo(EventType.DEFERRED);
        assertThat(e.remoteMta()).as("no server was asked").isNull();
        assertThat(io.sluice.delivery.outcome.Replies.isThrottled(e.reply())).isTrue();
      });
      assertThat(deferred).hasSize(5).allSatisfy(r -> {
        SubmittedMessage pending = messages.decode(r.value());
        assertThat(pending.recipients()).singleElement()
            .satisfies(rcpt -> assertThat(rcpt.address()).endsWith("@" + DeliveryTestResources.TEMPFAIL));
        assertThat(pending.attempt()).isEqualTo(attempts + 1);
        assertThat(new String(r.headers().lastHeader(KafkaHeaders.TRACEPARENT).value(), StandardCharsets.US_ASCII))
            .contains(TRACE_ID);
      });
      assertThat(server.mailCommands()).as("no transaction while paused").isEqualTo(mailsBefore);
      // Contract 2: the deferrals were acknowledged, so their offsets are committed.
      Instant deadline = Instant.now().plus(WAIT);
      while (!committedPast(admin, paused) && Instant.now().isBefore(deadline)) {
        Thread.sleep(100);
      }
      assertThat(committedPast(admin, paused)).as("committed past every paused message").isTrue();
    }
  }

  private boolean committedPast(org.apache.kafka.clients.admin.Admin admin, List<Submitted> records) throws Exception {
    Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(config.consumer().groupId()).partitionsToOffsetAndMetadata().get();
    return records.stream().allMatch(r -> committed.get(r.partition()) != null
        && committed.get(r.partition()).offset() > r.offset());
  }

  @Test
  void aRecipientStillDeferredAtTheMaximumAgeExpiresWithTheMessageSummary() throws Exception {
    try (TopicWatcher watcher = new TopicWatcher(bootstrap, Topics.EVENTS)) {
      String queueId = new QueueIds().next();
      String rcpt = "always-" + queueId.toLowerCase() + "@" + DeliveryTestResources.DEFER;
      SubmittedMessage old = SubmittedMessage.accepted(queueId, Instant.now().minus(Duration.ofDays(6)), "192.0.2.7",
          "client.test", "sender@src.test", "env-1", null, false, List.of(Recipient.of(rcpt)),
          content("old").getBytes(StandardCharsets.UTF_8));
      producer.send(new ProducerRecord<>(Topics.SUBMITTED, queueId, messages.encode(old))).get();

      List<DeliveryEvent> found = decode(watcher.await(r -> queueId.equals(r.key()), 1, WAIT));

      assertThat(found).singleElement().satisfies(e -> {
        assertThat(e.type()).isEqualTo(EventType.EXPIRED);
        assertThat(e.reply().code()).isEqualTo(450);
        assertThat(e.failuresInAttempt()).isEqualTo(1);
        assertThat(e.message().envid()).isEqualTo("env-1");
      });
    }
  }

  @Test
  void twoInstancesInOneGroupShareTheWork() throws Exception {
    DeliveryConsumer second = secondInstance(config);
    try (TopicWatcher watcher = new TopicWatcher(bootstrap, Topics.EVENTS)) {
      second.start();
      awaitPartitionsShared(second, true);
      // Each topic is balanced on its own: a count balanced over all topics together would hand the
      // joining instance most of sluice.submitted (the load) and leave the first with tier partitions.
      assertThat(submittedPartitions(second)).isEqualTo(3);
      assertThat(submittedPartitions(consumer)).isEqualTo(3);
      long before = consumer.processed();

      List<String> ids = new java.util.ArrayList<>();
      for (int i = 0; i < 16; i++) {
        ids.add(submit("sender@src.test", content("shared-" + i), "r" + i + "@" + DeliveryTestResources.ACCEPT).queueId());
      }
      List<DeliveryEvent> found = decode(watcher.await(r -> ids.contains(r.key()), 16, WAIT));

      assertThat(found).extracting(DeliveryEvent::queueId).containsExactlyInAnyOrderElementsOf(ids);
      assertThat(found).allSatisfy(e -> assertThat(e.type()).isEqualTo(EventType.DELIVERED));
      assertThat(second.processed()).as("records delivered by the second instance").isPositive();
      assertThat(consumer.processed() - before).as("records delivered by the first instance").isPositive();
    } finally {
      stopAndAwaitHandBack(second);
    }
  }

  @Test
  void anInstanceStoppedInTheMiddleOfTheLoadLosesNothing() throws Exception {
    DeliveryConsumer second = secondInstance(config);
    try (TopicWatcher watcher = new TopicWatcher(bootstrap, Topics.EVENTS)) {
      second.start();
      awaitPartitionsShared(second, false);
      Instant deadline = Instant.now().plus(WAIT);
      List<String> ids = new java.util.ArrayList<>();
      for (int i = 0; i < 30; i++) {
        ids.add(submit("sender@src.test", content("load-" + i), "r" + i + "@" + DeliveryTestResources.SLOW).queueId());
      }
      while (Instant.now().isBefore(deadline) && second.processed() == 0) {
        Thread.sleep(20);
      }
      second.stop(); // mid-load: its records in flight finish, the rest moves to the first instance

      List<DeliveryEvent> found = decode(watcher.awaitEveryKey(ids, Duration.ofSeconds(60)));

      assertThat(found).extracting(DeliveryEvent::queueId).containsAll(ids);
      assertThat(found).allSatisfy(e -> assertThat(e.type()).isEqualTo(EventType.DELIVERED));
    } finally {
      stopAndAwaitHandBack(second);
    }
  }

  @Test
  void anInstanceThatCannotFinishItsWorkInTimeLeavesItUncommittedAndNoRecipientIsLost() throws Exception {
    // The second instance gives its records in flight 50 ms at shutdown: like a crash, what it was
    // delivering stays uncommitted, and the first instance delivers it again.
    DeliveryConfig.Consumer shortDrain = proxy(DeliveryConfig.Consumer.class, config.consumer(),
        "drainTimeout", Duration.ofMillis(50));
    DeliveryConfig impatient = proxy(DeliveryConfig.class, config, "consumer", shortDrain);
    DeliveryConsumer second = secondInstance(impatient);
    double riskBefore = registry.counter("sluice.delivery.redelivery.risk").count();
    try (TopicWatcher watcher = new TopicWatcher(bootstrap, Topics.EVENTS)) {
      second.start();
      awaitPartitionsShared(second, false);
      Instant deadline = Instant.now().plus(WAIT);
      List<String> ids = new java.util.ArrayList<>();
      for (int i = 0; i < 30; i++) {
        ids.add(submit("sender@src.test", content("crash-" + i), "c" + i + "@" + DeliveryTestResources.SLOW).queueId());
      }
      while (Instant.now().isBefore(deadline) && second.inFlight() == 0) {
        Thread.sleep(10);
      }
      second.stop();

      List<DeliveryEvent> found = decode(watcher.awaitEveryKey(ids, Duration.ofSeconds(60)));

      assertThat(found).extracting(DeliveryEvent::queueId).containsAll(ids);
      assertThat(found).allSatisfy(e -> assertThat(e.type()).isEqualTo(EventType.DELIVERED));
      assertThat(registry.counter("sluice.delivery.redelivery.risk").count()).as("abandoned records are counted")
          .isGreaterThan(riskBefore);
    } finally {
      stopAndAwaitHandBack(second);
    }
  }

  @Test
  void aNewGroupCommitsItsStartPositionsAtOnceSoThatAHandoverCannotResetThem() throws Exception {
    // With auto-offset-reset=latest (as in these tests), a partition handed over before its first
    // commit would start again at the end on its new owner, past records nobody delivered.
    String group = "sluice-delivery-test-start-" + UUID.randomUUID();
    DeliveryConfig.Consumer ownGroup = proxy(DeliveryConfig.Consumer.class, config.consumer(), "groupId", group);
    DeliveryConsumer fresh = secondInstance(proxy(DeliveryConfig.class, config, "consumer", ownGroup));
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
        Map.of(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      fresh.start();
      Instant deadline = Instant.now().plus(WAIT);
      while (Instant.now().isBefore(deadline) && submittedPartitions(fresh) < 6) {
        Thread.sleep(50);
      }
      assertThat(submittedPartitions(fresh)).as("the new group's only member owns every partition").isEqualTo(6);

      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();

      assertThat(committed.keySet()).as("committed before any record was delivered")
          .containsAll(fresh.assignment());
      try (org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]> probe =
          new org.apache.kafka.clients.consumer.KafkaConsumer<>(Map.of(
              org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
              new org.apache.kafka.common.serialization.StringDeserializer(),
              new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
        Map<org.apache.kafka.common.TopicPartition, Long> ends = probe.endOffsets(fresh.assignment());
        ends.forEach((tp, end) -> assertThat(committed.get(tp).offset()).as("start of %s", tp).isEqualTo(end));
      }
    } finally {
      fresh.stop();
    }
  }

  /** A second delivery instance in the same group as the application's own consumer. */
  private DeliveryConsumer secondInstance(DeliveryConfig instanceConfig) {
    return new DeliveryConsumer(instanceConfig, KafkaClientSettings.of(bootstrap), runner, writer, deadLetters,
        mover, tracing, registry);
  }

  /**
   * Waits until the six partitions of sluice.submitted are split between the two instances: the
   * second owns some, and (when {@code bothOwn}) the first still owns some too.
   */
  private void awaitPartitionsShared(DeliveryConsumer second, boolean bothOwn) throws InterruptedException {
    Instant deadline = Instant.now().plus(WAIT);
    while (Instant.now().isBefore(deadline) && (submittedPartitions(second) == 0
        || (bothOwn && submittedPartitions(consumer) == 0)
        || submittedPartitions(second) + submittedPartitions(consumer) < 6)) {
      Thread.sleep(100);
    }
  }

  /** Stops the second instance and waits until the first owns every partition again. */
  private void stopAndAwaitHandBack(DeliveryConsumer second) throws InterruptedException {
    second.stop();
    awaitFirstOwnsAllPartitions();
  }

  private void awaitFirstOwnsAllPartitions() throws InterruptedException {
    Instant deadline = Instant.now().plus(WAIT);
    while (Instant.now().isBefore(deadline) && submittedPartitions(consumer) < 6) {
      Thread.sleep(100);
    }
  }

  /** A view of {@code target} whose method {@code name} returns {@code value}. */
  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> type, T target, String name, Object value) {
    return (T) java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
        (p, method, args) -> method.getName().equals(name) ? value : method.invoke(target, args));
  }

  private static long submittedPartitions(DeliveryConsumer c) {
    return c.assignment().stream().filter(tp -> tp.topic().equals(Topics.SUBMITTED)).count();
  }

  @Test
  void aRecordWhoseTierWaitIsOverButWhichIsNotDueYetMovesOnUnchangedAndIsDeliveredWhenDue() throws Exception {
    try (TopicWatcher tier = new TopicWatcher(bootstrap, Topics.deferred("1m"));
        TopicWatcher watcher = new TopicWatcher(bootstrap, Topics.EVENTS)) {
      String queueId = new QueueIds().next();
      SubmittedMessage pending = new SubmittedMessage(queueId, Instant.now().minusSeconds(300), "192.0.2.7",
          "client.test", "sender@src.test", null, null, false, List.of(Recipient.of("r@" + DeliveryTestResources.ACCEPT)),
          content("moved").getBytes(StandardCharsets.UTF_8), 3, Instant.now().plusSeconds(5), List.of());
      byte[] bytes = messages.encode(pending);
      // Written two minutes ago to the 1m tier: its wait there is over, its not-before time is not.
      long writtenAt = Instant.now().minusSeconds(120).toEpochMilli();
      producer.send(new ProducerRecord<>(Topics.deferred("1m"), null, writtenAt, queueId, bytes)).get();

      List<ConsumerRecord<String, byte[]>> seen = tier.await(r -> queueId.equals(r.key()), 2, WAIT);
      List<DeliveryEvent> delivered = decode(watcher.await(r -> queueId.equals(r.key()), 1, WAIT));

      assertThat(seen).hasSize(2);
      assertThat(seen.get(1).value()).isEqualTo(bytes);
      assertThat(seen.get(1).timestamp()).isGreaterThan(writtenAt);
      assertThat(delivered).singleElement().satisfies(e -> {
        assertThat(e.type()).isEqualTo(EventType.DELIVERED);
        assertThat(e.attempt()).isEqualTo(4);
        assertThat(e.occurredAt()).isAfterOrEqualTo(pending.notBefore().minusSeconds(1));
      });
    }
  }

  @Test
  void recordsForOtherDomainsAreLeftAlone() throws Exception {
    try (TopicWatcher watcher = new TopicWatcher(bootstrap, Topics.EVENTS)) {
      SubmittedMessage foreign = submit("sender@src.test", content("foreign"), "someone@not-ours.invalid");
      SubmittedMessage ours = submit("sender@src.test", content("ours"), "rcpt@" + DeliveryTestResources.ACCEPT);

      watcher.await(r -> ours.queueId().equals(r.key()), 1, WAIT);

      assertThat(watcher.await(r -> foreign.queueId().equals(r.key()), 1, Duration.ofSeconds(1))).isEmpty();
      assertThat(consumer.isAlive()).isTrue();
    }
  }
}
