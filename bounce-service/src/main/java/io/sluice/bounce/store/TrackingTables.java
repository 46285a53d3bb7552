package io.sluice.bounce.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plain JDBC on the transaction's connection for the three tables that every event touches
 * (delivery_event, recipient_outcome, tracked_message): one JDBC batch per table and poll batch, which
 * the driver pipelines in one round trip. Hibernate entities would cost a persistence-context entry
 * and a dirty check per row at every flush, and the report queries that follow a batch flush often.
 *
 * <p>Inserts are {@code ON CONFLICT DO NOTHING}, and which rows were new is what makes consumption
 * idempotent. On PostgreSQL each table's rows go in as one statement, {@code INSERT ... SELECT FROM
 * unnest(<one array per column>) ... RETURNING <key>}, and the returned keys are the new rows: the
 * server parses, plans and executes one statement per table and batch instead of one per row, which
 * is most of what a row cost it. Elsewhere (H2, local mode) the rows go as a JDBC batch of
 * single-row INSERTs whose per-row counts (1 new, 0 already there) say the same; those are exact only
 * while a driver does not rewrite batches into multi-row INSERTs, so a count that is neither 0 nor 1
 * stops the batch. Ids come from the column defaults (V3 migration).
 */
final class TrackingTables {
  private final Connection connection;
  /** PostgreSQL: array parameters and {@code RETURNING}, which H2 lacks. */
  private final boolean postgres;

  TrackingTables(Connection connection) throws SQLException {
    this.connection = connection;
    this.postgres = "PostgreSQL".equals(connection.getMetaData().getDatabaseProductName());
  }

  /**
   * The stored outcomes of these messages by {@link #outcomeKey}, as detached values (not managed by
   * Hibernate, so a later query in the same transaction never returns a stale copy).
   */
  Map<String, RecipientOutcome> outcomes(Collection<String> queueIds) throws SQLException {
    return outcomes(queueIds, false);
  }

  /**
   * The same, with the rows locked until commit on PostgreSQL, for outcomes about to be folded and
   * written back: a transaction still writing them (the previous batch, see BatchPipeline, or
   * another instance) is waited for, and its version is the one read, so no update is lost.
   */
  Map<String, RecipientOutcome> outcomesForUpdate(Collection<String> queueIds) throws SQLException {
    return outcomes(queueIds, postgres);
  }

  private Map<String, RecipientOutcome> outcomes(Collection<String> queueIds, boolean lock) throws SQLException {
    Map<String, RecipientOutcome> out = new HashMap<>();
    for (RecipientOutcome o : select(
        "SELECT id, queue_id, recipient, rcpt_domain, orcpt, notify, status, attempt, reply_code, reply_enhanced,"
            + " reply_text, remote_mta, first_event_at, last_event_at FROM recipient_outcome WHERE queue_id = ANY (?)"
            + (lock ? " FOR UPDATE" : ""),
        queueIds, rs -> {
          RecipientOutcome o = new RecipientOutcome();
          o.id = rs.getLong(1);
          o.queueId = rs.getString(2);
          o.recipient = rs.getString(3);
          o.domain = rs.getString(4);
          o.orcpt = rs.getString(5);
          o.notify = rs.getString(6);
          o.status = rs.getString(7);
          o.attempt = rs.getInt(8);
          o.replyCode = integer(rs, 9);
          o.replyEnhanced = rs.getString(10);
          o.replyText = rs.getString(11);
          o.remoteMta = rs.getString(12);
          o.firstEventAt = instant(rs, 13);
          o.lastEventAt = instant(rs, 14);
          return o;
        })) {
      out.put(outcomeKey(o.queueId, o.recipient), o);
    }
    return out;
  }

  /** The BOUNCED and EXPIRED events of these messages, each attempt's oldest first (the report's order). */
  List<DeliveryEventRow> failures(Collection<String> queueIds) throws SQLException {
    return select(
        "SELECT id, queue_id, recipient, event_type, attempt, occurred_at, remote_mta, reply_code, reply_enhanced,"
            + " reply_text, failures_in_attempt, recorded_at FROM delivery_event WHERE queue_id = ANY (?)"
            + " AND event_type IN ('BOUNCED', 'EXPIRED') ORDER BY queue_id, attempt, occurred_at, recipient",
        queueIds, rs -> {
          DeliveryEventRow r = new DeliveryEventRow();
          r.id = rs.getLong(1);
          r.queueId = rs.getString(2);
          r.recipient = rs.getString(3);
          r.eventType = rs.getString(4);
          r.attempt = rs.getInt(5);
          r.occurredAt = instant(rs, 6);
          r.remoteMta = rs.getString(7);
          r.replyCode = integer(rs, 8);
          r.replyEnhanced = rs.getString(9);
          r.replyText = rs.getString(10);
          r.failuresInAttempt = rs.getInt(11);
          r.recordedAt = instant(rs, 12);
          return r;
        });
  }

  /** The attempts of these messages that already have their failure report (or its skip) recorded. */
  Set<EventStore.AttemptKey> failureReports(Collection<String> queueIds) throws SQLException {
    return new HashSet<>(select("SELECT queue_id, attempt FROM bounce_report WHERE queue_id = ANY (?) AND kind = 'FAILED'",
        queueIds, rs -> new EventStore.AttemptKey(rs.getString(1), rs.getInt(2))));
  }

  /** The stored summaries of these messages by queue id, as detached values. */
  Map<String, TrackedMessage> messages(Collection<String> queueIds) throws SQLException {
    Map<String, TrackedMessage> out = new HashMap<>();
    for (TrackedMessage m : select(
        "SELECT queue_id, sender, message_id, size_bytes, received_at, client_address, envid, ret, headers, recorded_at"
            + " FROM tracked_message WHERE queue_id = ANY (?)",
        queueIds, rs -> {
          TrackedMessage m = new TrackedMessage();
          m.queueId = rs.getString(1);
          m.sender = rs.getString(2);
          m.messageId = rs.getString(3);
          m.sizeBytes = rs.getLong(4);
          m.receivedAt = instant(rs, 5);
          m.clientAddress = rs.getString(6);
          m.envid = rs.getString(7);
          m.ret = rs.getString(8);
          m.headers = rs.getBytes(9);
          m.recordedAt = instant(rs, 10);
          return m;
        })) {
      out.put(m.queueId, m);
    }
    return out;
  }

  /** @return for each row, whether it was new (false: the event was already stored) */
  boolean[] insertEvents(List<DeliveryEventRow> rows) throws SQLException {
    if (postgres) {
      return insertEventsAtOnce(rows);
    }
    return inserted("delivery_event", batch(
        "INSERT INTO delivery_event (queue_id, recipient, event_type, attempt, occurred_at, remote_mta, reply_code,"
            + " reply_enhanced, reply_text, failures_in_attempt, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT DO NOTHING",
        rows, (ps, r) -> {
          ps.setString(1, r.queueId);
          ps.setString(2, r.recipient);
          ps.setString(3, r.eventType);
          ps.setInt(4, r.attempt);
          setInstant(ps, 5, r.occurredAt);
          ps.setString(6, r.remoteMta);
          setInteger(ps, 7, r.replyCode);
          ps.setString(8, r.replyEnhanced);
          ps.setString(9, r.replyText);
          ps.setInt(10, r.failuresInAttempt);
          setInstant(ps, 11, r.recordedAt);
        }));
  }

  /** Messages already stored (a summary comes with several events) are left as they are. */
  void insertMessages(Collection<TrackedMessage> messages) throws SQLException {
    if (postgres) {
      insertMessagesAtOnce(messages);
      return;
    }
    batch("INSERT INTO tracked_message (queue_id, sender, message_id, size_bytes, received_at, client_address, envid,"
            + " ret, headers, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        messages, (ps, m) -> {
          ps.setString(1, m.queueId);
          ps.setString(2, m.sender);
          ps.setString(3, m.messageId);
          ps.setLong(4, m.sizeBytes);
          setInstant(ps, 5, m.receivedAt);
          ps.setString(6, m.clientAddress);
          ps.setString(7, m.envid);
          ps.setString(8, m.ret);
          ps.setBytes(9, m.headers);
          setInstant(ps, 10, m.recordedAt);
        });
  }

  /** @return for each outcome, whether it was new (false: the recipient already has one) */
  boolean[] insertOutcomes(List<RecipientOutcome> outcomes) throws SQLException {
    if (postgres) {
      return insertOutcomesAtOnce(outcomes);
    }
    return inserted("recipient_outcome", batch(
        "INSERT INTO recipient_outcome (orcpt, notify, status, attempt, reply_code, reply_enhanced, reply_text,"
            + " remote_mta, first_event_at, last_event_at, queue_id, recipient, rcpt_domain)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        outcomes, (ps, o) -> {
          bindOutcome(ps, o);
          ps.setString(11, o.queueId);
          ps.setString(12, o.recipient);
          ps.setString(13, o.domain);
        }));
  }

  private boolean[] insertEventsAtOnce(List<DeliveryEventRow> rows) throws SQLException {
    if (rows.isEmpty()) {
      return new boolean[0];
    }
    Columns c = new Columns(rows.size());
    for (DeliveryEventRow r : rows) {
      c.text(0, r.queueId).text(1, r.recipient).text(2, r.eventType).integer(3, r.attempt).time(4, r.occurredAt)
          .text(5, r.remoteMta).integer(6, r.replyCode).text(7, r.replyEnhanced).text(8, r.replyText)
          .integer(9, r.failuresInAttempt).time(10, r.recordedAt).next();
    }
    Set<String> fresh = returnedKeys(
        "INSERT INTO delivery_event (queue_id, recipient, event_type, attempt, occurred_at, remote_mta, reply_code,"
            + " reply_enhanced, reply_text, failures_in_attempt, recorded_at)"
            + " SELECT * FROM unnest(?::varchar[], ?::varchar[], ?::varchar[], ?::int[], ?::timestamptz[], ?::varchar[],"
            + " ?::int[], ?::varchar[], ?::varchar[], ?::int[], ?::timestamptz[])"
            + " ON CONFLICT DO NOTHING RETURNING queue_id, recipient, event_type, attempt",
        c, rs -> eventKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4)));
    boolean[] out = new boolean[rows.size()];
    for (int i = 0; i < out.length; i++) {
      DeliveryEventRow r = rows.get(i);
      out[i] = fresh.contains(eventKey(r.queueId, r.recipient, r.eventType, r.attempt));
    }
    return out;
  }

  private void insertMessagesAtOnce(Collection<TrackedMessage> messages) throws SQLException {
    if (messages.isEmpty()) {
      return;
    }
    Columns c = new Columns(messages.size());
    byte[][] headers = new byte[messages.size()][];
    int i = 0;
    for (TrackedMessage m : messages) {
      c.text(0, m.queueId).text(1, m.sender).text(2, m.messageId).bigint(3, m.sizeBytes).time(4, m.receivedAt)
          .text(5, m.clientAddress).text(6, m.envid).text(7, m.ret).time(8, m.recordedAt).next();
      headers[i++] = m.headers;
    }
    try (PreparedStatement ps = connection.prepareStatement(
        "INSERT INTO tracked_message (queue_id, sender, message_id, size_bytes, received_at, client_address, envid,"
            + " ret, recorded_at, headers)"
            + " SELECT * FROM unnest(?::varchar[], ?::varchar[], ?::varchar[], ?::bigint[], ?::timestamptz[],"
            + " ?::varchar[], ?::varchar[], ?::varchar[], ?::timestamptz[], ?::bytea[]) ON CONFLICT DO NOTHING")) {
      int next = c.bind(ps);
      ps.setArray(next, connection.createArrayOf("bytea", headers));
      ps.executeUpdate();
    }
  }

  private boolean[] insertOutcomesAtOnce(List<RecipientOutcome> outcomes) throws SQLException {
    if (outcomes.isEmpty()) {
      return new boolean[0];
    }
    Columns c = new Columns(outcomes.size());
    for (RecipientOutcome o : outcomes) {
      c.text(0, o.orcpt).text(1, o.notify).text(2, o.status).integer(3, o.attempt).integer(4, o.replyCode)
          .text(5, o.replyEnhanced).text(6, o.replyText).text(7, o.remoteMta).time(8, o.firstEventAt)
          .time(9, o.lastEventAt).text(10, o.queueId).text(11, o.recipient).text(12, o.domain).next();
    }
    Set<String> fresh = returnedKeys(
        "INSERT INTO recipient_outcome (orcpt, notify, status, attempt, reply_code, reply_enhanced, reply_text,"
            + " remote_mta, first_event_at, last_event_at, queue_id, recipient, rcpt_domain)"
            + " SELECT * FROM unnest(?::varchar[], ?::varchar[], ?::varchar[], ?::int[], ?::int[], ?::varchar[],"
            + " ?::varchar[], ?::varchar[], ?::timestamptz[], ?::timestamptz[], ?::varchar[], ?::varchar[], ?::varchar[])"
            + " ON CONFLICT DO NOTHING RETURNING queue_id, recipient",
        c, rs -> outcomeKey(rs.getString(1), rs.getString(2)));
    boolean[] out = new boolean[outcomes.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = fresh.contains(outcomeKey(outcomes.get(i).queueId, outcomes.get(i).recipient));
    }
    return out;
  }

  /** Runs a multi-row INSERT bound from {@code columns} and collects the keys it returns (the new rows). */
  private Set<String> returnedKeys(String sql, Columns columns, RowReader<String> key) throws SQLException {
    Set<String> out = new HashSet<>();
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      columns.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(key.read(rs));
        }
      }
    }
    return out;
  }

  /**
   * The values of one multi-row INSERT, column by column, each bound as one array parameter. Times
   * travel as ISO-8601 text (cast to timestamptz by the statement), numbers and text as they are.
   */
  private final class Columns {
    private final Object[][] values = new Object[13][];
    private final String[] types = new String[13];
    private final int rows;
    private int row;
    private int width;

    Columns(int rows) {
      this.rows = rows;
    }

    Columns text(int column, String value) {
      return put(column, "varchar", value);
    }

    Columns integer(int column, Integer value) {
      return put(column, "int4", value);
    }

    Columns bigint(int column, long value) {
      return put(column, "int8", value);
    }

    Columns time(int column, Instant value) {
      return put(column, "varchar", value == null ? null : value.toString());
    }

    private Columns put(int column, String type, Object value) {
      if (values[column] == null) {
        values[column] = switch (type) {
          case "int4" -> new Integer[rows];
          case "int8" -> new Long[rows];
          default -> new String[rows];
        };
        types[column] = type;
        width = Math.max(width, column + 1);
      }
      values[column][row] = value;
      return this;
    }

    void next() {
      row++;
    }

    /** @return the next free parameter index */
    int bind(PreparedStatement ps) throws SQLException {
      for (int i = 0; i < width; i++) {
        ps.setArray(i + 1, connection.createArrayOf(types[i], values[i]));
      }
      return width + 1;
    }
  }

  /** Writes back outcomes read with {@link #outcomes}, by id. */
  void updateOutcomes(List<RecipientOutcome> outcomes) throws SQLException {
    batch("UPDATE recipient_outcome SET orcpt = ?, notify = ?, status = ?, attempt = ?, reply_code = ?,"
            + " reply_enhanced = ?, reply_text = ?, remote_mta = ?, first_event_at = ?, last_event_at = ? WHERE id = ?",
        outcomes, (ps, o) -> {
          bindOutcome(ps, o);
          ps.setLong(11, o.id);
        });
  }

  /** Binds one item's parameters. */
  @FunctionalInterface
  private interface Binder<T> {
    void bind(PreparedStatement ps, T item) throws SQLException;
  }

  /** Runs {@code sql}, whose one parameter is the queue ids as an array, and reads each row. */
  private <T> List<T> select(String sql, Collection<String> queueIds, RowReader<T> reader) throws SQLException {
    List<T> out = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setArray(1, ids(queueIds));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(reader.read(rs));
        }
      }
    }
    return out;
  }

  /** Reads one result row. */
  @FunctionalInterface
  private interface RowReader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /** {@code sql} once per item, as one JDBC batch; returns the per-item update counts. */
  private <T> int[] batch(String sql, Collection<T> items, Binder<T> binder) throws SQLException {
    if (items.isEmpty()) {
      return new int[0];
    }
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      for (T item : items) {
        binder.bind(ps, item);
        ps.addBatch();
      }
      return ps.executeBatch();
    }
  }

  private static boolean[] inserted(String table, int[] counts) {
    boolean[] out = new boolean[counts.length];
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] != 0 && counts[i] != 1) {
        throw new IllegalStateException("INSERT into " + table + " reported " + counts[i] + " rows instead of 0 or 1;"
            + " is reWriteBatchedInserts set on the JDBC URL? Idempotent consumption needs exact counts");
      }
      out[i] = counts[i] == 1;
    }
    return out;
  }

  /** The ten mutable columns, in the order both statements above list them. */
  private static void bindOutcome(PreparedStatement ps, RecipientOutcome o) throws SQLException {
    ps.setString(1, o.orcpt);
    ps.setString(2, o.notify);
    ps.setString(3, o.status);
    ps.setInt(4, o.attempt);
    setInteger(ps, 5, o.replyCode);
    ps.setString(6, o.replyEnhanced);
    ps.setString(7, o.replyText);
    ps.setString(8, o.remoteMta);
    setInstant(ps, 9, o.firstEventAt);
    setInstant(ps, 10, o.lastEventAt);
  }

  static String eventKey(String queueId, String recipient, String type, int attempt) {
    return queueId + '\0' + recipient + '\0' + type + '\0' + attempt;
  }

  static String outcomeKey(String queueId, String recipient) {
    return queueId + '\0' + recipient;
  }

  /**
   * The queue ids as one array parameter: {@code = ANY (?)} is planned as an index lookup even on
   * tables whose statistics are stale or missing (a long IN list there became a sequential scan).
   */
  private Array ids(Collection<String> queueIds) throws SQLException {
    return connection.createArrayOf("varchar", queueIds.toArray());
  }

  private static void setInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      ps.setObject(index, OffsetDateTime.ofInstant(value, ZoneOffset.UTC));
    }
  }

  private static void setInteger(PreparedStatement ps, int index, Integer value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.INTEGER);
    } else {
      ps.setInt(index, value);
    }
  }

  private static Integer integer(ResultSet rs, int index) throws SQLException {
    int value = rs.getInt(index);
    return rs.wasNull() ? null : value;
  }

  private static Instant instant(ResultSet rs, int index) throws SQLException {
    OffsetDateTime t = rs.getObject(index, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }
}
