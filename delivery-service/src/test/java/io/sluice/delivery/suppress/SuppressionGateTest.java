package io.sluice.delivery.suppress;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.delivery.attempt.AttemptReport;
import io.sluice.delivery.attempt.RecipientOutcome;
import io.sluice.schema.EventType;
import io.sluice.schema.Recipient;
import io.sluice.schema.RemoteReply;
import io.sluice.schema.SubmittedMessage;
import io.sluice.schema.SuppressionEntry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SuppressionGateTest {
  private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
  private final SuppressionView view = new SuppressionView();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final SuppressionGate gate = new SuppressionGate(view, Clock.fixed(NOW, ZoneOffset.UTC), registry);
  private final List<SubmittedMessage> attempted = new ArrayList<>();

  private AttemptReport deliverAll(SubmittedMessage m) {
    attempted.add(m);
    return new AttemptReport(m, m.attempt() + 1, NOW, m.recipients().stream().map(r -> new RecipientOutcome(r,
        EventType.DELIVERED, new RemoteReply(250, "2.0.0", "ok"), "mx.test", "mx.test")).toList());
  }

  private static SubmittedMessage message(String... rcpts) {
    return SubmittedMessage.accepted("01JD0000000000000000000000", NOW, "192.0.2.1", "h", "from@x.test", null, null,
        false, java.util.Arrays.stream(rcpts).map(Recipient::of).toList(),
        "Subject: s\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  private void suppress(String address, Instant until) {
    view.apply(address, new SuppressionEntry(address, "hard bounce", "API", null, until, NOW));
  }

  @Test
  void mayApplyUntilTheListIsReadAndThenOnlyToMessagesWithAListedRecipient() {
    suppress("gone@y.test", null);
    suppress("was@y.test", NOW.minusSeconds(1));

    assertThat(gate.mayApply(message("ok@y.test"))).as("not read yet").isTrue();
    view.markLoaded();
    assertThat(gate.mayApply(message("ok@y.test", "was@y.test"))).as("expired entries do not count").isFalse();
    assertThat(gate.mayApply(message("ok@y.test", "Gone@Y.test"))).isTrue();
    assertThat(new SuppressionGate(null, Clock.systemUTC(), registry).mayApply(message("gone@y.test")))
        .as("enforcement off").isFalse();
  }

  @Test
  void suppressedRecipientsBounceWith571AndOnlyTheOthersAreAttempted() {
    view.markLoaded();
    suppress("gone@y.test", null);

    AttemptReport report = gate.run(message("ok@y.test", "Gone@Y.test"), this::deliverAll);

    assertThat(attempted).singleElement().satisfies(m ->
        assertThat(m.recipients()).extracting(Recipient::address).containsExactly("ok@y.test"));
    assertThat(report.message().recipients()).hasSize(2);
    assertThat(report.attempt()).isEqualTo(1);
    assertThat(report.outcomes()).hasSize(2);
    assertThat(report.outcomes()).filteredOn(o -> o.recipient().address().equals("Gone@Y.test")).singleElement()
        .satisfies(o -> {
          assertThat(o.type()).isEqualTo(EventType.BOUNCED);
          assertThat(o.reply().code()).isEqualTo(550);
          assertThat(o.reply().enhancedStatus()).isEqualTo("5.7.1");
          assertThat(o.reply().text()).contains("suppression list").contains("API");
          assertThat(o.remoteMta()).isNull();
          assertThat(o.destination()).isEqualTo(SuppressionGate.DESTINATION);
        });
    assertThat(registry.counter("sluice.delivery.suppressed").count()).isEqualTo(1.0);
  }

  @Test
  void whenEveryRecipientIsSuppressedNothingIsAttempted() {
    view.markLoaded();
    suppress("a@y.test", NOW.plusSeconds(1));
    suppress("b@z.test", null);

    AttemptReport report = gate.run(message("a@y.test", "b@z.test"), this::deliverAll);

    assertThat(attempted).isEmpty();
    assertThat(report.outcomes()).extracting(RecipientOutcome::type).containsOnly(EventType.BOUNCED);
    assertThat(report.attempt()).isEqualTo(1);
  }

  @Test
  void expiredEntriesAndUnlistedRecipientsPassUnchanged() {
    view.markLoaded();
    suppress("a@y.test", NOW);
    SubmittedMessage m = message("a@y.test", "b@y.test");

    AttemptReport report = gate.run(m, this::deliverAll);

    assertThat(attempted).containsExactly(m);
    assertThat(report.outcomes()).extracting(RecipientOutcome::type).containsOnly(EventType.DELIVERED);
  }

  @Test
  void withoutAViewEveryRecipientIsAttempted() {
    SuppressionGate off = new SuppressionGate(null, Clock.systemUTC(), registry);
    suppress("a@y.test", null);

    off.run(message("a@y.test"), this::deliverAll);

    assertThat(attempted).hasSize(1);
  }

  @Test
  void anAttemptWaitsUntilTheListIsLoaded() throws Exception {
    suppress("a@y.test", null);
    Thread worker = Thread.ofVirtual().start(() -> gate.run(message("a@y.test", "b@y.test"), this::deliverAll));
    worker.join(300);
    assertThat(worker.isAlive()).as("held before the list is loaded").isTrue();
    assertThat(attempted).isEmpty();

    view.markLoaded();
    worker.join(5000);

    assertThat(worker.isAlive()).isFalse();
    assertThat(attempted).singleElement().satisfies(m ->
        assertThat(m.recipients()).extracting(Recipient::address).containsExactly("b@y.test"));
  }
}
