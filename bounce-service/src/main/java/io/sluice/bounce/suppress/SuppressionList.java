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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
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

  /** Puts the hard bounces among {@code events} on the list, or extends their entries. */
  @Transactional(Transactional.TxType.MANDATORY)
  public int recordHardBounces(List<DeliveryEvent> events, Instant now) {
    Duration ttl = config.dsn().suppressFor();
    if (ttl.isZero() || ttl.isNegative()) {
      return 0;
    }
    int added = 0;
    Map<String, Suppression> changed = new LinkedHashMap<>();
    for (DeliveryEvent e : events) {
      if (!isHardBounce(e)) {
        continue;
      }
      String address = normalise(e.recipient().address());
      Instant until = e.occurredAt().plus(ttl);
      Suppression s = Suppression.find("address", address).firstResult();
      if (s == null) {
        s = new Suppression();
        s.address = address;
        s.source = Suppression.Source.BOUNCE;
        s.createdAt = now;
        s.expiresAt = until;
        s.reason = truncate(e.reply().toString());
        s.sourceQueueId = e.queueId();
        s.persist();
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
    if (!changed.isEmpty()) {
      feed.publish(changed.values()); // before the batch commits: delivery must hear of every entry
    }
    return added;
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
