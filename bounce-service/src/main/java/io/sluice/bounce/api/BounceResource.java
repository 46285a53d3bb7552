package io.sluice.bounce.api;

import io.quarkus.panache.common.Parameters;
import io.sluice.bounce.store.BounceReport;
import io.sluice.bounce.store.RecipientOutcome;
import io.sluice.schema.EventType;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Recipients that ended BOUNCED or EXPIRED, filtered by recipient, domain and time. */
@Path("/api/v1/bounces")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "bounces", description = "Failed recipients and the DSNs sent about them")
public class BounceResource {
  /**
   * Written as literals, not a parameter: PostgreSQL uses the partial index on failed recipients
   * (migration V5) only when it can see that the query's condition implies the index's.
   */
  static final String FAILED = "status in ('" + EventType.BOUNCED.name() + "', '" + EventType.EXPIRED.name() + "')";

  @Inject Paging paging;

  /** One failed recipient. */
  public record BounceView(String queueId, String recipient, String status, int attempt, MessageView.ReplyView reply,
      String remoteMta, Instant failedAt, String dsnQueueId) {}

  @GET
  @Operation(summary = "Failed recipients, newest first; filter by recipient, domain and time range [from, to)")
  public Page<BounceView> list(@QueryParam("recipient") String recipient, @QueryParam("domain") String domain,
      @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("page") Integer page,
      @QueryParam("size") Integer size) {
    Paging.Request p = paging.of(page, size);
    Instant fromAt = Paging.instant("from", from);
    Instant toAt = Paging.instant("to", to);
    StringBuilder where = new StringBuilder(FAILED);
    Parameters params = new Parameters();
    if (recipient != null && !recipient.isBlank()) {
      where.append(" and lower(recipient) = :recipient");
      params.and("recipient", recipient.strip().toLowerCase(Locale.ROOT));
    }
    if (domain != null && !domain.isBlank()) {
      where.append(" and domain = :domain");
      params.and("domain", domain.strip().toLowerCase(Locale.ROOT));
    }
    if (fromAt != null) {
      where.append(" and lastEventAt >= :from");
      params.and("from", fromAt);
    }
    if (toAt != null) {
      where.append(" and lastEventAt < :to");
      params.and("to", toAt);
    }
    var query = RecipientOutcome.<RecipientOutcome>find(where + " order by lastEventAt desc, id desc", params);
    long total = query.count();
    List<BounceView> items = new ArrayList<>();
    for (RecipientOutcome o : query.page(p.page(), p.size()).list()) {
      BounceReport report = BounceReport.<BounceReport>find("queueId = ?1 and attempt = ?2 and kind = ?3",
          o.queueId, o.attempt, BounceReport.Kind.FAILED).firstResult();
      items.add(new BounceView(o.queueId, o.recipient, o.status, o.attempt,
          MessageView.ReplyView.of(o.replyCode, o.replyEnhanced, o.replyText), o.remoteMta, o.lastEventAt,
          report == null ? null : report.dsnQueueId));
    }
    return new Page<>(items, p.page(), p.size(), total);
  }
}
