package io.sluice.bounce.store;

import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import io.sluice.schema.MessageSummary;
import io.sluice.schema.Notify;
import io.sluice.schema.Recipient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.hibernate.Session;

/**
 * Writes consumed events into the tracking tables. Idempotent: an event whose natural key (queue id,
 * recipient, type, attempt) is already stored changes nothing, so replaying a stream is harmless.
 * Runs inside the caller's transaction.
 *
 * <p>Insert first, read only on conflict: the events go in as one JDBC batch of {@code INSERT ... ON
 * CONFLICT DO NOTHING}, and the per-row counts say which were new, so telling a replay from a new
 * event costs no read (and no query plan that depends on table statistics). Each recipient's outcome
 * is folded in memory over the batch's new events and inserted the same way; only outcomes that
 * already existed (a recipient whose earlier events came in an earlier batch) are read and updated.
 * A batch costs three to five statements whatever its size (see {@link TrackingTables}).
 *
 * <p>Two instances writing the same event at once (a partition moving during a rebalance): the
 * unique key makes the later insert wait for the earlier transaction and then count as a duplicate.
 */
@ApplicationScoped
public class EventStore {
  private final Clock clock = Clock.systemUTC();

  @Inject Session session;
  @Inject TransactionSynchronizationRegistry transactions;

  /**
   * What one batch changed.
   *
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
    return session.doReturningWork(connection -> write(new TrackingTables(connection), events));
  }

  /**
   * Records a message this service created itself (a DSN), so it can be tracked like any other. The
   * rows are buffered for the transaction and written by {@link #writeOwnSubmissions()}, so a batch
   * that sends many DSNs pays for one statement per table, not three round trips per DSN.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public void recordOwnSubmission(String queueId, MessageSummary summary, Recipient recipient) {
    DeliveryEvent received = DeliveryEvent.received(queueId, recipient, summary.receivedAt(), summary);
    OwnSubmissions pending = (OwnSubmissions) transactions.getResource(OwnSubmissions.class);
    if (pending == null) {
      pending = new OwnSubmissions();
      transactions.putResource(OwnSubmissions.class, pending);
      transactions.registerInterposedSynchronization(pending);
    }
    pending.events.add(received);
  }

  /**
   * Writes the own submissions buffered in this transaction. Whoever sends DSNs in a transaction
   * calls this before the transaction ends. It cannot be left to a synchronization's
   * beforeCompletion: Hibernate's own synchronization runs first and releases the session's
   * connection, so work done there takes a connection again that is still open at commit (the pool
   * then closes it with "Closing open connection(s) prior to commit").
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public void writeOwnSubmissions() {
    OwnSubmissions pending = (OwnSubmissions) transactions.getResource(OwnSubmissions.class);
    if (pending == null || pending.events.isEmpty()) {
      return;
    }
    List<DeliveryEvent> events = List.copyOf(pending.events);
    session.doWork(connection -> write(new TrackingTables(connection), events));
    pending.events.clear();
  }

  /**
   * The own submissions of one transaction not written yet. If any are left at commit, a caller
   * forgot {@link #writeOwnSubmissions()}: failing here rolls the transaction back, together with
   * the report rows that named those DSNs, instead of committing reports whose DSNs are untracked.
   */
  private static final class OwnSubmissions implements Synchronization {
    final List<DeliveryEvent> events = new ArrayList<>();

    @Override
    public void beforeCompletion() {
      if (!events.isEmpty()) {
        throw new IllegalStateException(events.size() + " DSN(s) sent in this transaction were not recorded for "
            + "tracking: EventStore.writeOwnSubmissions() must run before the transaction commits");
      }
    }

    @Override
    public void afterCompletion(int status) {
      // nothing held
    }
  }

  private Persisted write(TrackingTables tables, List<DeliveryEvent> events) throws SQLException {
    Instant now = clock.instant();
    // Repeats inside the batch never reach the database.
    Map<String, DeliveryEvent> distinct = new LinkedHashMap<>();
    for (DeliveryEvent e : events) {
      distinct.putIfAbsent(TrackingTables.eventKey(e.queueId(), e.recipient().address(), e.type().name(), e.attempt()), e);
    }
    List<DeliveryEvent> candidates = new ArrayList<>(distinct.values());
    boolean[] inserted = tables.insertEvents(candidates.stream().map(e -> toRow(e, now)).toList());

    List<DeliveryEvent> stored = new ArrayList<>();
    Map<String, TrackedMessage> messages = new LinkedHashMap<>();
    Map<String, List<DeliveryEvent>> byRecipient = new LinkedHashMap<>();
    Set<AttemptKey> failureAttempts = new LinkedHashSet<>();
    for (int i = 0; i < candidates.size(); i++) {
      if (!inserted[i]) {
        continue;
      }
      DeliveryEvent event = candidates.get(i);
      stored.add(event);
      if (event.message() != null) {
        messages.computeIfAbsent(event.queueId(), id -> toMessage(id, event.message(), now));
      }
      byRecipient.computeIfAbsent(TrackingTables.outcomeKey(event.queueId(), event.recipient().address()),
          k -> new ArrayList<>()).add(event);
      if (event.type() == EventType.BOUNCED || event.type() == EventType.EXPIRED) {
        failureAttempts.add(new AttemptKey(event.queueId(), event.attempt()));
      }
    }
    tables.insertMessages(messages.values());
    writeOutcomes(tables, byRecipient);
    return new Persisted(stored, events.size() - stored.size(), failureAttempts);
  }

  /** Inserts the outcomes of recipients new to the database; folds the others onto their stored row. */
  private static void writeOutcomes(TrackingTables tables, Map<String, List<DeliveryEvent>> byRecipient)
      throws SQLException {
    List<RecipientOutcome> fresh = new ArrayList<>();
    for (List<DeliveryEvent> list : byRecipient.values()) {
      RecipientOutcome o = newOutcome(list.getFirst());
      apply(o, list.getFirst());
      fold(o, list.subList(1, list.size()));
      fresh.add(o);
    }
    boolean[] inserted = tables.insertOutcomes(fresh);
    Set<String> existing = new LinkedHashSet<>();
    for (int i = 0; i < fresh.size(); i++) {
      if (!inserted[i]) {
        existing.add(fresh.get(i).queueId);
      }
    }
    if (existing.isEmpty()) {
      return;
    }
    List<RecipientOutcome> changed = new ArrayList<>();
    for (RecipientOutcome stored : tables.outcomesForUpdate(existing).values()) {
      List<DeliveryEvent> list = byRecipient.get(TrackingTables.outcomeKey(stored.queueId, stored.recipient));
      if (list != null && fold(stored, list)) {
        changed.add(stored);
      }
    }
    tables.updateOutcomes(changed);
  }

  /** Applies the events that supersede the outcome, in order; true if any did. */
  private static boolean fold(RecipientOutcome outcome, List<DeliveryEvent> events) {
    boolean changed = false;
    for (DeliveryEvent e : events) {
      if (supersedes(e, outcome)) {
        apply(outcome, e);
        changed = true;
      }
    }
    return changed;
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

  static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }

  /**
   * What the failure reports of a batch are decided on, read for all its attempts at once.
   *
   * @param failures the BOUNCED and EXPIRED events of each attempt, oldest first
   * @param reported the attempts whose report is already recorded (a replay)
   * @param messages the message summaries by queue id
   * @param outcomes each message's recipient outcomes, by queue id and then recipient
   */
  public record FailureFacts(Map<AttemptKey, List<DeliveryEventRow>> failures, Set<AttemptKey> reported,
      Map<String, TrackedMessage> messages, Map<String, Map<String, RecipientOutcome>> outcomes) {}

  /**
   * Reads what {@link FailureFacts} holds for {@code attempts}: four queries whatever their number
   * (one array parameter each, see {@link TrackingTables}), instead of four per attempt.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public FailureFacts failureFacts(Collection<AttemptKey> attempts) {
    Set<String> queueIds = new LinkedHashSet<>();
    attempts.forEach(k -> queueIds.add(k.queueId()));
    if (queueIds.isEmpty()) {
      return new FailureFacts(Map.of(), Set.of(), Map.of(), Map.of());
    }
    return session.doReturningWork(connection -> {
      TrackingTables tables = new TrackingTables(connection);
      Map<AttemptKey, List<DeliveryEventRow>> failures = new HashMap<>();
      for (DeliveryEventRow r : tables.failures(queueIds)) {
        failures.computeIfAbsent(new AttemptKey(r.queueId, r.attempt), k -> new ArrayList<>()).add(r);
      }
      return new FailureFacts(failures, tables.failureReports(queueIds), tables.messages(queueIds),
          byMessage(tables.outcomes(queueIds).values()));
    });
  }

  /**
   * The summaries and recipient outcomes of these messages, by queue id (outcomes then by
   * recipient), read with two queries whatever their number.
   */
  public record Summaries(Map<String, TrackedMessage> messages, Map<String, Map<String, RecipientOutcome>> outcomes) {}

  @Transactional(Transactional.TxType.MANDATORY)
  public Summaries summaries(Collection<String> queueIds) {
    if (queueIds.isEmpty()) {
      return new Summaries(Map.of(), Map.of());
    }
    return session.doReturningWork(connection -> {
      TrackingTables tables = new TrackingTables(connection);
      return new Summaries(tables.messages(queueIds), byMessage(tables.outcomes(queueIds).values()));
    });
  }

  private static Map<String, Map<String, RecipientOutcome>> byMessage(Collection<RecipientOutcome> outcomes) {
    Map<String, Map<String, RecipientOutcome>> out = new HashMap<>();
    for (RecipientOutcome o : outcomes) {
      out.computeIfAbsent(o.queueId, k -> new HashMap<>()).put(o.recipient, o);
    }
    return out;
  }
}
