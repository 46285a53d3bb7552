package io.sluice.delivery.attempt;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.delivery.route.DnsLookups;
import io.sluice.delivery.route.Router;
import io.sluice.delivery.shaping.MutableClock;
import io.sluice.delivery.shaping.Shaper;
import io.sluice.delivery.shaping.ShapingPolicy;
import io.sluice.delivery.telemetry.DeliveryMetrics;
import io.sluice.delivery.transport.ConnectionPool;
import io.sluice.delivery.transport.SmtpClient;
import io.sluice.delivery.transport.SmtpTimeouts;
import io.sluice.delivery.transport.TestSmtpServer;
import io.sluice.delivery.transport.TlsPolicy;
import io.sluice.schema.EventType;
import io.sluice.schema.Recipient;
import io.sluice.schema.SubmittedMessage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** One attempt of a message over real TCP: grouping, splitting, and "too many recipients". */
class AttemptRunnerTest {
  private static AttemptRunner runner(TestSmtpServer server, int maxRecipients) {
    return runner(server, maxRecipients, 0);
  }

  private static AttemptRunner runner(TestSmtpServer server, int maxRecipients, int tempfailThreshold) {
    return runner(server, maxRecipients, tempfailThreshold, new SimpleMeterRegistry());
  }

  private static AttemptRunner runner(TestSmtpServer server, int maxRecipients, int tempfailThreshold,
      SimpleMeterRegistry registry) {
    return runner(server, maxRecipients, tempfailThreshold, registry, Clock.systemUTC());
  }

  private static AttemptRunner runner(TestSmtpServer server, int maxRecipients, int tempfailThreshold,
      SimpleMeterRegistry registry, Clock clock) {
    Router router = new Router(new DnsLookups(DnsLookups.resolver(List.of("127.0.0.1:9"), Duration.ofMillis(200)),
        new Random()), Map.of("big.test", server.hostPort()), Optional.empty(), 25);
    SmtpClient smtp = new SmtpClient("client.test", SmtpTimeouts.uniform(Duration.ofSeconds(5)),
        new ConnectionPool(Duration.ofSeconds(5), 100, Duration.ofSeconds(1)));
    Shaper shaper = new Shaper(new ShapingPolicy(4, 0, 5, tempfailThreshold, Duration.ofSeconds(30),
        Duration.ofMinutes(5)), Map.of(),
        Duration.ofSeconds(5), clock);
    return new AttemptRunner(router, smtp, shaper, TlsPolicy.NONE, Map.of(), maxRecipients,
        new DeliveryMetrics(registry), clock);
  }

  private static SubmittedMessage message(int recipients) {
    List<Recipient> rcpts = IntStream.range(0, recipients).mapToObj(i -> Recipient.of("r" + i + "@big.test")).toList();
    return SubmittedMessage.accepted("01JD0000000000000000000000", Instant.now(), "192.0.2.1", "h", "a@src.test", null,
        null, false, rcpts, "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void aLargeGroupIsSplitAndRecipientsRefusedAsTooManyGoInAFurtherTransaction() throws Exception {
    try (TestSmtpServer server = new TestSmtpServer()) {
      server.maxRcptsPerTransaction = 2;

      AttemptReport report = runner(server, 3).run(message(5));

      assertThat(report.attempt()).isEqualTo(1);
      assertThat(report.outcomes()).hasSize(5).allSatisfy(o -> assertThat(o.type()).isEqualTo(EventType.DELIVERED));
      assertThat(report.outcomes()).extracting(o -> o.recipient().address())
          .containsExactlyInAnyOrder("r0@big.test", "r1@big.test", "r2@big.test", "r3@big.test", "r4@big.test");
      // [r0 r1 (r2: 452)] [r2] [r3 r4]
      assertThat(server.transactions).extracting(t -> t.rcpts().size()).containsExactly(2, 1, 2);
      assertThat(server.connections.get()).isEqualTo(1);
    }
  }

  @Test
  void aServerThatTakesNoRecipientAtAllDefersThemInsteadOfLooping() throws Exception {
    try (TestSmtpServer server = new TestSmtpServer()) {
      server.rcptReply = r -> "452 4.5.3 Too many recipients";

      AttemptReport report = runner(server, 100).run(message(3));

      assertThat(report.outcomes()).hasSize(3).allSatisfy(o -> {
        assertThat(o.type()).isEqualTo(EventType.DEFERRED);
        assertThat(o.reply().code()).isEqualTo(452);
      });
    }
  }

  @Test
  void aDestinationThatDefersEveryRecipientIsPausedAndThenDeferredWithoutConnecting() throws Exception {
    try (TestSmtpServer server = new TestSmtpServer()) {
      server.rcptReply = r -> "451 4.3.0 Try again later";
      AttemptRunner runner = runner(server, 100, 3);

      for (int i = 0; i < 3; i++) {
        assertThat(runner.run(message(2)).outcomes()).allSatisfy(o -> assertThat(o.reply().code()).isEqualTo(451));
      }
      long mailsSoFar = server.mailCommands();
      AttemptReport paused = runner.run(message(2));

      assertThat(mailsSoFar).isEqualTo(3);
      assertThat(paused.outcomes()).hasSize(2).allSatisfy(o -> {
        assertThat(o.type()).isEqualTo(EventType.DEFERRED);
        assertThat(o.reply().code()).isEqualTo(451);
        assertThat(o.reply().enhancedStatus()).isEqualTo("4.4.5");
      });
      assertThat(server.mailCommands()).as("no transaction while paused").isEqualTo(3);
    }
  }

  @Test
  void whenAPauseEndsOneTransactionProbesTheServerWhileTheOtherMessagesAreStillDeferred() throws Exception {
    try (TestSmtpServer server = new TestSmtpServer()) {
      server.rcptReply = r -> "451 4.3.0 Try again later";
      MutableClock clock = new MutableClock();
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      AttemptRunner runner = runner(server, 100, 1, registry, clock);
      runner.run(message(1)); // pauses the destination for 30 s
      assertThat(registry.get("sluice.delivery.destination.paused").gauge().value()).isEqualTo(1.0);
      assertThat(registry.get("sluice.delivery.destination.pauses").counter().count()).isEqualTo(1.0);
      server.rcptReply = r -> "250 2.1.5 Ok";
      server.dataDelayMillis = 1_000; // keeps the probe under way while the others come
      clock.advance(Duration.ofSeconds(30));

      try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
        var probe = threads.submit(() -> runner.run(message(1)));
        while (server.mailCommands() < 2) {
          Thread.sleep(5);
        }
        List<java.util.concurrent.Future<AttemptReport>> others = IntStream.range(0, 10)
            .mapToObj(i -> threads.submit(() -> runner.run(message(1)))).toList();
        for (var other : others) {
          assertThat(other.get().outcomes().getFirst().reply().enhancedStatus()).as("deferred by the pause")
              .isEqualTo("4.4.5");
        }
        assertThat(server.mailCommands()).as("the probe's transaction only").isEqualTo(2);
        assertThat(probe.get().outcomes().getFirst().type()).isEqualTo(EventType.DELIVERED);
      }
      server.dataDelayMillis = 0;
      assertThat(registry.get("sluice.delivery.destination.paused").gauge().value()).isZero();
      assertThat(runner.run(message(1)).outcomes().getFirst().type()).as("the answered probe ended the pause")
          .isEqualTo(EventType.DELIVERED);
      assertThat(registry.get("sluice.delivery.destination.pauses").counter().count()).isEqualTo(1.0);
    }
  }

  @Test
  void mailHeldBackByAPauseIsNotCountedAsAnAttemptNorTimed() throws Exception {
    try (TestSmtpServer server = new TestSmtpServer()) {
      server.rcptReply = r -> "451 4.3.0 Try again later";
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      AttemptRunner runner = runner(server, 100, 2, registry);
      runner.run(message(1));
      runner.run(message(1)); // pauses the destination

      AttemptReport onWorker = runner.run(message(1));
      AttemptReport onConsumer = runner.deferIfPaused(message(1));

      assertThat(onWorker.outcomes().getFirst().reply().enhancedStatus()).isEqualTo("4.4.5");
      assertThat(onConsumer).isNotNull();
      assertThat(server.mailCommands()).isEqualTo(2);
      assertThat(registry.get("sluice.delivery.attempts").counter().count()).as("the two transactions only")
          .isEqualTo(2.0);
      assertThat(registry.get("sluice.delivery.latency").timer().count()).isEqualTo(2);
    }
  }

  @Test
  void mailToAPausedDestinationIsDeferredUpFrontAndOtherMailIsNot() throws Exception {
    try (TestSmtpServer server = new TestSmtpServer()) {
      server.rcptReply = r -> "451 4.3.0 Try again later";
      AttemptRunner runner = runner(server, 100, 2);

      assertThat(runner.deferIfPaused(message(2))).as("not paused yet: attempt it").isNull();
      runner.run(message(2));
      runner.run(message(2)); // the second run of deferred transactions pauses it
      AttemptReport deferred = runner.deferIfPaused(message(3));

      assertThat(deferred).isNotNull();
      assertThat(deferred.attempt()).isEqualTo(1);
      assertThat(deferred.outcomes()).hasSize(3).allSatisfy(o -> {
        assertThat(o.type()).isEqualTo(EventType.DEFERRED);
        assertThat(o.reply().enhancedStatus()).isEqualTo("4.4.5");
        assertThat(o.remoteMta()).isNull();
        assertThat(o.destination()).startsWith("route:");
      });
      assertThat(deferred.outcomes()).extracting(o -> o.recipient().address())
          .containsExactly("r0@big.test", "r1@big.test", "r2@big.test");
      assertThat(server.mailCommands()).isEqualTo(2);
      SubmittedMessage mixed = SubmittedMessage.accepted("01JD0000000000000000000001", Instant.now(), "192.0.2.1", "h",
          "a@src.test", null, null, false, List.of(Recipient.of("r0@big.test"), Recipient.of("x@elsewhere.test")),
          "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(runner.deferIfPaused(mixed)).as("one recipient's destination is not paused").isNull();
    }
  }

  @Test
  void oneRecipientAcceptedResetsTheRunOfDeferredTransactions() throws Exception {
    try (TestSmtpServer server = new TestSmtpServer()) {
      server.rcptReply = r -> r.contains("r0@") ? "250 2.1.5 Ok" : "451 4.3.0 Try again later";
      AttemptRunner runner = runner(server, 100, 2);

      for (int i = 0; i < 4; i++) {
        runner.run(message(2)); // r0 delivered, r1 deferred: the destination works
      }

      assertThat(server.mailCommands()).isEqualTo(4);
      assertThat(runner.run(message(2)).outcomes()).extracting(o -> o.type())
          .containsExactly(EventType.DELIVERED, EventType.DEFERRED);
    }
  }
}
