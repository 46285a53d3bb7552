package io.sluice.bounce.store;

import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import io.sluice.schema.MessageSummary;
import io.sluice.schema.Notify;
import io.sluice.schema.Recipient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Writes consumed events into the tracking tables. Idempotent: an event whose natural key (queue id,
 * recipient, type, attempt) is already stored changes nothing, so replaying a stream is harmless.
 * Runs inside the caller's transaction; one call persists one poll batch with JDBC batching.
 */
@ApplicationScoped
public class EventStore {
  private final Clock clock = Clock.systemUTC();

  /** What one batch changed. */
  /**
   * @param stored the events that were new, in batch order (replays are left out)
   * @param duplicates how many events were already stored
   * @param failureAttempts attempts that got a new BOUNCED or EXPIRED event
   */
  public record Persisted(List<DeliveryEvent> stored, int duplicates, Set<AttemptKey> failureAttempts) {}

  /** One delivery attempt of one message. */
  public record AttemptKey(String queueId, int attempt) {}

  @Transactional(Transactional.TxType.MANDATORY)
  public Persisted persist(List<DeliveryEvent> events) {
    if (events.isEmpty()) {
      return new Persisted(List.of(), 0, Set.of());
    }
    Instant now = clock.instant();
    Set<String> queueIds = events.stream().map(DeliveryEvent::queueId).collect(Collectors.toSet());

    // Only the natural keys are needed to recognise replays; no need to load whole rows.
    Set<String> knownEvents = new HashSet<>();
    List<Object[]> keys = DeliveryEventRow.getEntityManager().createQuery(
            "select e.queueId, e.recipient, e.eventType, e.attempt from DeliveryEventRow e where e.queueId in :ids",
            Object[].class)
        .setParameter("ids", queueIds).getResultList();
    for (Object[] k : keys) {
      knownEvents.add(eventKey((String) k[0], (String) k[1], (String) k[2], (Integer) k[3]));
    }
    Map<String, RecipientOutcome> outcomes = new HashMap<>();
    for (RecipientOutcome o : RecipientOutcome.<RecipientOutcome>list("queueId in ?1", queueIds)) {
      outcomes.put(outcomeKey(o.queueId, o.recipient), o);
    }
    Set<String> knownMessages = new HashSet<>(TrackedMessage.getEntityManager().createQuery(
            "select m.queueId from TrackedMessage m where m.queueId in :ids", String.class)
        .setParameter("ids", queueIds).getResultList());

    List<DeliveryEvent> stored = new ArrayList<>();
    int duplicates = 0;
    Set<AttemptKey> failureAttempts = new LinkedHashSet<>();
    for (DeliveryEvent event : events) {
      String address = event.recipient().address();
      if (!knownEvents.add(eventKey(event.queueId(), address, event.type().name(), event.attempt()))) {
        duplicates++;
        continue;
      }
      stored.add(event);
      if (event.message() != null && knownMessages.add(event.queueId())) {
        toMessage(event.queueId(), event.message(), now).persist();
      }
      toRow(event, now).persist();
      RecipientOutcome outcome = outcomes.get(outcomeKey(event.queueId(), address));
      if (outcome == null) {
        outcome = newOutcome(event);
        outcomes.put(outcomeKey(event.queueId(), address), outcome);
        apply(outcome, event);
        outcome.persist();
      } else if (supersedes(event, outcome)) {
        apply(outcome, event);
      }
      if (event.type() == EventType.BOUNCED || event.type() == EventType.EXPIRED) {
        failureAttempts.add(new AttemptKey(event.queueId(), event.attempt()));
      }
    }
    return new Persisted(stored, duplicates, failureAttempts);
  }

  /** Records a message this service created itself (a DSN), so it can be tracked like any other. */
  @Transactional(Transactional.TxType.MANDATORY)
  public void recordOwnSubmission(String queueId, MessageSummary summary, Recipient recipient) {
    DeliveryEvent received = DeliveryEvent.received(queueId, recipient, summary.receivedAt(), summary);
    persist(List.of(received));
  }

  /**
   * Outcomes only move forward: a final outcome is never replaced by an intermediate one, and within
   * the same rank the later attempt wins. Events of one message may arrive out of order (RECEIVED
   * from ingress can trail DELIVERED from delivery).
   */
  static boolean supersedes(DeliveryEvent event, RecipientOutcome current) {
    int newRank = rank(event.type());
    int curRank = rank(EventType.valueOf(current.status));
    return newRank > curRank || (newRank == curRank && event.attempt() >= current.attempt);
  }

  private static int rank(EventType type) {
    return switch (type) {
      case RECEIVED -> 0;
      case DEFERRED -> 1;
      case DELIVERED, BOUNCED, EXPIRED -> 2;
    };
  }

  private static RecipientOutcome newOutcome(DeliveryEvent event) {
    RecipientOutcome o = new RecipientOutcome();
    o.queueId = event.queueId();
    o.recipient = event.recipient().address();
    o.domain = event.recipient().domain();
    o.firstEventAt = event.occurredAt();
    o.status = event.type().name();
    o.attempt = event.attempt();
    o.lastEventAt = event.occurredAt();
    return o;
  }

  private static void apply(RecipientOutcome o, DeliveryEvent event) {
    o.status = event.type().name();
    o.attempt = event.attempt();
    if (event.reply() != null) {
      o.replyCode = event.reply().code();
      o.replyEnhanced = event.reply().enhancedStatus();
      o.replyText = truncate(event.reply().text(), 2000);
    }
    if (event.remoteMta() != null) {
      o.remoteMta = truncate(event.remoteMta(), 255);
    }
    if (event.recipient().orcpt() != null) {
      o.orcpt = truncate(event.recipient().orcpt(), 600);
    }
    if (!event.recipient().notifyOn().isEmpty() || o.notify == null) {
      o.notify = notifyText(event.recipient().notifyOn());
    }
    if (event.occurredAt().isBefore(o.firstEventAt)) {
      o.firstEventAt = event.occurredAt();
    }
    if (event.occurredAt().isAfter(o.lastEventAt)) {
      o.lastEventAt = event.occurredAt();
    }
  }

  private static DeliveryEventRow toRow(DeliveryEvent event, Instant now) {
    DeliveryEventRow row = new DeliveryEventRow();
    row.queueId = event.queueId();
    row.recipient = event.recipient().address();
    row.eventType = event.type().name();
    row.attempt = event.attempt();
    row.occurredAt = event.occurredAt();
    row.remoteMta = truncate(event.remoteMta(), 255);
    if (event.reply() != null) {
      row.replyCode = event.reply().code();
      row.replyEnhanced = event.reply().enhancedStatus();
      row.replyText = truncate(event.reply().text(), 2000);
    }
    row.failuresInAttempt = event.failuresInAttempt();
    row.recordedAt = now;
    return row;
  }

  static TrackedMessage toMessage(String queueId, MessageSummary summary, Instant now) {
    TrackedMessage m = new TrackedMessage();
    m.queueId = queueId;
    m.sender = summary.reversePath();
    m.messageId = truncate(summary.messageId(), 998);
    m.sizeBytes = summary.size();
    m.receivedAt = summary.receivedAt();
    m.clientAddress = truncate(summary.clientAddress(), 64);
    m.envid = truncate(summary.envid(), 100);
    m.ret = summary.ret() == null ? null : summary.ret().name();
    m.headers = summary.headers();
    m.recordedAt = now;
    return m;
  }

  public static String notifyText(Collection<Notify> notify) {
    return notify.stream().map(Enum::name).sorted().collect(Collectors.joining(","));
  }

  public static Set<Notify> parseNotify(String text) {
    Set<Notify> out = new HashSet<>();
    if (text != null) {
      for (String part : text.split(",")) {
        if (!part.isBlank()) {
          out.add(Notify.valueOf(part.strip()));
        }
      }
    }
    return out;
  }

  private static String eventKey(String queueId, String recipient, String type, int attempt) {
    return queueId + '\0' + recipient + '\0' + type + '\0' + attempt;
  }

  private static String outcomeKey(String queueId, String recipient) {
    return queueId + '\0' + recipient;
  }

  static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }

  /** Failure events of one attempt, oldest first, for the report. */
  public List<DeliveryEventRow> failuresOf(AttemptKey key) {
    return DeliveryEventRow.list(
        "queueId = ?1 and attempt = ?2 and eventType in ?3 order by occurredAt, recipient",
        key.queueId(), key.attempt(), List.of(EventType.BOUNCED.name(), EventType.EXPIRED.name()));
  }

  public Map<String, RecipientOutcome> outcomesOf(String queueId) {
    Map<String, RecipientOutcome> out = new HashMap<>();
    for (RecipientOutcome o : RecipientOutcome.<RecipientOutcome>list("queueId", queueId)) {
      out.put(o.recipient, o);
    }
    return out;
  }
}
