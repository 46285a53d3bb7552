package io.sluice.bounce.suppress;

import io.sluice.bounce.config.BounceConfig;
import io.sluice.bounce.store.Suppression;
import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import io.sluice.schema.RemoteReply;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.hibernate.Session;
import org.jboss.logging.Logger;

/**
 * Addresses that must not be mailed for a while. A hard bounce puts the address on the list for
 * {@code sluice.bounce.dsn.suppress-for}; operators add, change and remove entries through the API.
 *
 * <p>Where the check runs: in delivery, before routing (see docs/architecture.md, "Suppression").
 * This class owns the list; {@link SuppressionFeed} publishes its changes to delivery.
 */
@ApplicationScoped
public class SuppressionList {
  private static final Logger LOG = Logger.getLogger(SuppressionList.class);

  @Inject BounceConfig config;
  @Inject SuppressionFeed feed;
  @Inject Session session;

  /**
   * A hard bounce says the address itself is bad, not that the message or the moment was: a
   * permanent reply with an RFC 3463 addressing status (5.1.x: bad mailbox, bad destination system,
   * bad syntax, null MX), or, from servers without enhanced codes, 550/551/553. A full mailbox
   * (5.2.2), policy (5.7.x, which includes a suppressed recipient's own bounce) or content rejection
   * does not suppress.
   */
  public static boolean isHardBounce(DeliveryEvent e) {
    if (e.type() != EventType.BOUNCED || e.reply() == null || !e.reply().isPermanent()) {
      return false;
    }
    RemoteReply reply = e.reply();
    if (reply.enhancedStatus() != null) {
      return reply.enhancedStatus().startsWith("5.1.");
    }
    return reply.code() == 550 || reply.code() == 551 || reply.code() == 553;
  }

  public static String normalise(String address) {
    return address.strip().toLowerCase(Locale.ROOT);
  }

  /**
   * What a batch changed on the list.
   *
   * @param added how many addresses were newly suppressed
   * @param acks the broker's acknowledgements of the published changes, to await before commit
   */
  public record Recorded(int added, List<Future<RecordMetadata>> acks) {}

  /**
   * Puts the hard bounces among {@code events} on the list, or extends their entries. The entries
   * are read with one query and the changes published without waiting: the caller must await
   * {@link Recorded#acks} before the transaction commits (delivery must hear of every entry).
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public Recorded recordHardBounces(List<DeliveryEvent> events, Instant now) {
    Duration ttl = config.dsn().suppressFor();
    List<DeliveryEvent> hard = events.stream().filter(SuppressionList::isHardBounce).toList();
    if (ttl.isZero() || ttl.isNegative() || hard.isEmpty()) {
      return new Recorded(0, List.of());
    }
    Map<String, Suppression> known = entries(hard.stream().map(e -> normalise(e.recipient().address())).toList());
    int added = 0;
    Map<String, Suppression> changed = new LinkedHashMap<>();
    for (DeliveryEvent e : hard) {
      String address = normalise(e.recipient().address());
      Instant until = e.occurredAt().plus(ttl);
      Suppression s = known.get(address);
      if (s == null) {
        s = new Suppression();
        s.address = address;
        s.source = Suppression.Source.BOUNCE;
        s.createdAt = now;
        s.expiresAt = until;
        s.reason = truncate(e.reply().toString());
        s.sourceQueueId = e.queueId();
        s.persist();
        known.put(address, s);
        changed.put(address, s);
        added++;
        LOG.infof("suppressed <%s> until %s after hard bounce of %s: %s", address, until, e.queueId(), s.reason);
      } else if (s.expiresAt != null && s.expiresAt.isBefore(until)) {
        // An operator's permanent entry (no expiry) stays permanent.
        s.expiresAt = until;
        s.reason = truncate(e.reply().toString());
        s.sourceQueueId = e.queueId();
        changed.put(address, s);
      }
    }
    if (changed.isEmpty()) {
      return new Recorded(0, List.of());
    }
    // Flushed first, so a conflicting insert by another instance fails the batch before anything is published.
    Suppression.flush();
    return new Recorded(added, feed.send(changed.values()));
  }

  /**
   * The stored entries for these addresses, by address, managed (changes are written at flush):
   * one query with an array parameter, which stays an index lookup without table statistics.
   */
  @SuppressWarnings("unchecked")
  private Map<String, Suppression> entries(Collection<String> addresses) {
    List<Suppression> rows = session.createNativeQuery("SELECT * FROM suppression WHERE address = ANY (?1)",
            Suppression.class)
        .setParameter(1, addresses.stream().distinct().toArray(String[]::new))
        .getResultList();
    Map<String, Suppression> out = new HashMap<>();
    rows.forEach(s -> out.put(s.address, s));
    return out;
  }

  /** The entry that currently blocks {@code address}, if any. */
  public Optional<Suppression> activeFor(String address, Instant now) {
    Suppression s = Suppression.find("address", normalise(address)).firstResult();
    return s != null && s.activeAt(now) ? Optional.of(s) : Optional.empty();
  }

  private static String truncate(String s) {
    return s.length() <= 2000 ? s : s.substring(0, 2000);
  }
}
