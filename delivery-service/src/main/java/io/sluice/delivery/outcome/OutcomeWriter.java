package io.sluice.delivery.outcome;

import io.sluice.delivery.DeliveryConfig;
import io.sluice.delivery.attempt.AttemptReport;
import io.sluice.delivery.attempt.RecipientOutcome;
import io.sluice.delivery.retry.RetryDecision;
import io.sluice.delivery.retry.RetrySchedule;
import io.sluice.delivery.retry.Tiers;
import io.sluice.delivery.telemetry.DeliveryMetrics;
import io.sluice.delivery.telemetry.Tracing;
import io.sluice.schema.Attempt;
import io.sluice.schema.AvroCodec;
import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import io.sluice.schema.MessageSummary;
import io.sluice.schema.Recipient;
import io.sluice.schema.SubmittedMessage;
import io.sluice.schema.Topics;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

/**
 * Turns an attempt's outcomes into records: an event per recipient on sluice.events, and one record
 * with the still-pending recipients on a deferred tier. The returned future completes only when the
 * broker acknowledged all of them; only then may the source offset be committed (contract 2).
 */
@Singleton // no client proxy to resolve on every call: it is called for every message
public class OutcomeWriter {
  private static final Logger LOG = Logger.getLogger(OutcomeWriter.class);

  private final RecordPublisher publisher;
  private final DeliveryMetrics metrics;
  private final RetrySchedule schedule;
  private final Tiers tiers;
  private final AvroCodec<DeliveryEvent> events = AvroCodec.deliveryEvents();
  private final AvroCodec<SubmittedMessage> messages = AvroCodec.submittedMessages();

  @Inject
  public OutcomeWriter(RecordPublisher publisher, DeliveryMetrics metrics, DeliveryConfig config) {
    this.publisher = publisher;
    this.metrics = metrics;
    DeliveryConfig.Retry r = config.retry();
    this.schedule = new RetrySchedule(r.initialDelay(), r.maxDelay(), r.jitter(), r.maxAge());
    this.tiers = Tiers.parse(r.tiers());
  }

  public Tiers tiers() {
    return tiers;
  }

  public CompletableFuture<Void> write(AttemptReport report, Tracing.Stamp trace) {
    SubmittedMessage m = report.message();
    Instant now = report.finishedAt();
    List<RecipientOutcome> deferred = report.outcomes().stream().filter(o -> o.type() == EventType.DEFERRED).toList();
    RetryDecision decision = deferred.isEmpty() ? null
        : schedule.decide(report.attempt(), Duration.between(m.receivedAt(), now), ThreadLocalRandom.current().nextDouble());
    boolean expire = decision instanceof RetryDecision.Expire;

    // Contract 4: one DSN per failed attempt, so each failure event says how many failed with it.
    List<Recipient> failedRecipients = report.outcomes().stream()
        .filter(o -> o.type() == EventType.BOUNCED || (o.type() == EventType.DEFERRED && expire))
        .map(RecipientOutcome::recipient).toList();
    int failures = failedRecipients.size();
    MessageSummary summary = failures > 0 ? MessageSummaries.forFailures(m, failedRecipients) : null;
    // A RET=FULL body rides only on the attempt's last failure event, so the message is written once:
    // events of a message share a partition and keep their order, so that event completes the report.
    MessageSummary headersOnly = summary == null ? null : summary.withContent(null);
    int failedSoFar = 0;

    List<CompletableFuture<?>> sends = new ArrayList<>();
    for (RecipientOutcome o : report.outcomes()) {
      EventType type = o.type() == EventType.DEFERRED && expire ? EventType.EXPIRED : o.type();
      boolean failed = type == EventType.BOUNCED || type == EventType.EXPIRED;
      DeliveryEvent event = new DeliveryEvent(m.queueId(), type, o.recipient(), report.attempt(), now, o.remoteMta(),
          o.reply(), failed ? failures : 0, !failed ? null : ++failedSoFar == failures ? summary : headersOnly);
      sends.add(publisher.send(record(Topics.EVENTS, m.queueId(), events.encode(event), trace)));
      metrics.outcome(o.destination(), type);
      // Deliveries are the bulk and are on sluice.events anyway; a console line each cost a tenth of
      // the CPU per message at full rate. So are deferrals to a paused destination (one WARN said so
      // when it was paused), and at the same rate. Other failures, which operators look for, stay at INFO.
      boolean bulk = type == EventType.DELIVERED || o.heldBack();
      Logger.Level level = bulk ? Logger.Level.DEBUG : Logger.Level.INFO;
      if (LOG.isEnabled(level)) { // the arguments alone cost a string per message
        LOG.logf(level, "%s <%s> %s after attempt %d: %s%s", m.queueId(), o.recipient().address(), type,
            report.attempt(), o.reply(), o.remoteMta() == null ? "" : " (" + o.remoteMta() + ")");
      }
    }
    if (decision instanceof RetryDecision.RetryAfter(Duration delay)) {
      SubmittedMessage pending = pending(m, report, deferred, now.plus(delay));
      Tiers.Tier tier = tiers.forDelay(delay);
      sends.add(publisher.send(record(tier.topic(), m.queueId(), messages.encode(pending), trace)));
      LOG.debugf("%s: %d recipient(s) deferred to %s, next attempt not before %s", m.queueId(), deferred.size(),
          tier.topic(), pending.notBefore());
    }
    return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new));
  }

  /** The same message for the recipients still pending, with this attempt added to its history. */
  static SubmittedMessage pending(SubmittedMessage m, AttemptReport report, List<RecipientOutcome> deferred,
      Instant notBefore) {
    List<Recipient> recipients = deferred.stream().map(RecipientOutcome::recipient).toList();
    List<Attempt> history = new ArrayList<>(m.history());
    // One history entry per distinct reply of this attempt (usually one per destination group).
    Map<String, Attempt> perReply = new LinkedHashMap<>();
    for (RecipientOutcome o : deferred) {
      perReply.putIfAbsent(o.remoteMta() + "|" + o.reply(), new Attempt(report.finishedAt(), o.remoteMta(), o.reply()));
    }
    history.addAll(perReply.values());
    return new SubmittedMessage(m.queueId(), m.receivedAt(), m.clientAddress(), m.heloName(), m.reversePath(), m.envid(),
        m.ret(), m.smtputf8(), recipients, m.content(), report.attempt(), notBefore, history);
  }

  private static ProducerRecord<String, byte[]> record(String topic, String key, byte[] value, Tracing.Stamp trace) {
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
    trace.onto(record.headers());
    return record;
  }
}
