package io.sluice.bounce.api;

import io.quarkus.panache.common.Parameters;
import io.sluice.bounce.kafka.RecordProducer;
import io.sluice.bounce.store.Suppression;
import io.sluice.bounce.suppress.SuppressionFeed;
import io.sluice.bounce.suppress.SuppressionList;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Create, read, update and delete suppression entries. Addresses are compared lower-cased. */
@Path("/api/v1/suppressions")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "suppressions", description = "Addresses that mail is not sent to")
public class SuppressionResource {
  @Inject Paging paging;
  @Inject SuppressionFeed feed;

  /** An entry as the API shows it; {@code active} is false once it has expired. */
  public record SuppressionView(String address, String reason, String source, String sourceQueueId, Instant createdAt,
      Instant expiresAt, boolean active) {
    static SuppressionView of(Suppression s) {
      return new SuppressionView(s.address, s.reason, s.source.name(), s.sourceQueueId, s.createdAt, s.expiresAt,
          s.activeAt(Instant.now()));
    }
  }

  /** Body of POST and PUT. {@code expiresAt} null: until removed. */
  public record SuppressionInput(String address, String reason, Instant expiresAt) {}

  @GET
  @Operation(summary = "Entries, newest first; filter by address substring and source, optionally only active ones")
  public Page<SuppressionView> list(@QueryParam("contains") String contains, @QueryParam("source") String source,
      @QueryParam("active") Boolean activeOnly, @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
    Paging.Request p = paging.of(page, size);
    StringBuilder where = new StringBuilder("1 = 1");
    Parameters params = new Parameters();
    if (contains != null && !contains.isBlank()) {
      where.append(" and address like :contains");
      params.and("contains", "%" + SuppressionList.normalise(contains).replace("%", "").replace("_", "") + "%");
    }
    if (source != null && !source.isBlank()) {
      where.append(" and source = :source");
      params.and("source", parseSource(source));
    }
    if (Boolean.TRUE.equals(activeOnly)) {
      where.append(" and (expiresAt is null or expiresAt > :now)");
      params.and("now", Instant.now());
    }
    var query = Suppression.<Suppression>find(where + " order by createdAt desc, id desc", params);
    long total = query.count();
    List<SuppressionView> items = query.page(p.page(), p.size()).list().stream().map(SuppressionView::of).toList();
    return new Page<>(items, p.page(), p.size(), total);
  }

  @GET
  @Path("/{address}")
  @APIResponse(responseCode = "200", description = "the entry", content = @Content(mediaType = "application/json", schema = @Schema(implementation = SuppressionView.class)))
  @APIResponse(responseCode = "404", description = "not listed", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.class)))
  @Operation(summary = "One entry")
  public Response get(@PathParam("address") String address) {
    Suppression s = find(address);
    return s == null ? notFound(address) : Response.ok(SuppressionView.of(s)).build();
  }

  @POST
  @Transactional
  @APIResponse(responseCode = "201", description = "added", content = @Content(mediaType = "application/json", schema = @Schema(implementation = SuppressionView.class)))
  @APIResponse(responseCode = "400", description = "not a mailbox", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.class)))
  @APIResponse(responseCode = "503", description = "Kafka did not take the change; nothing changed", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.class)))
  @APIResponse(responseCode = "409", description = "already listed", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.class)))
  @Operation(summary = "Add an entry (409 when the address is already listed)")
  public Response create(SuppressionInput input) {
    if (input == null || input.address() == null || !input.address().contains("@")) {
      return ApiError.response(Response.Status.BAD_REQUEST, "address must be a mailbox such as user@example.com");
    }
    if (find(input.address()) != null) {
      return ApiError.response(Response.Status.CONFLICT, input.address() + " is already listed; PUT changes it");
    }
    Suppression s = apply(new Suppression(), SuppressionList.normalise(input.address()), input);
    s.persist();
    publish(() -> feed.publish(List.of(s)));
    return Response.created(URI.create("/api/v1/suppressions/" + s.address)).entity(SuppressionView.of(s)).build();
  }

  @PUT
  @Path("/{address}")
  @Transactional
  @APIResponse(responseCode = "200", description = "replaced", content = @Content(mediaType = "application/json", schema = @Schema(implementation = SuppressionView.class)))
  @APIResponse(responseCode = "201", description = "created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = SuppressionView.class)))
  @Operation(summary = "Create or replace the entry of an address (reason, expiry); the source becomes API")
  public Response put(@PathParam("address") String address, SuppressionInput input) {
    if (!address.contains("@")) {
      return ApiError.response(Response.Status.BAD_REQUEST, "address must be a mailbox such as user@example.com");
    }
    SuppressionInput body = input == null ? new SuppressionInput(null, null, null) : input;
    Suppression s = find(address);
    boolean created = s == null;
    s = apply(created ? new Suppression() : s, SuppressionList.normalise(address), body);
    Suppression changed = s;
    if (created) {
      s.persist();
    }
    publish(() -> feed.publish(List.of(changed)));
    if (created) {
      return Response.status(Response.Status.CREATED).entity(SuppressionView.of(s)).build();
    }
    return Response.ok(SuppressionView.of(s)).build();
  }

  @DELETE
  @Path("/{address}")
  @Transactional
  @APIResponse(responseCode = "204", description = "removed")
  @APIResponse(responseCode = "404", description = "not listed", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.class)))
  @Operation(summary = "Remove an entry")
  public Response delete(@PathParam("address") String address) {
    Suppression s = find(address);
    if (s == null) {
      return notFound(address);
    }
    s.delete();
    publish(() -> feed.remove(List.of(s.address)));
    return Response.noContent().build();
  }

  /** Delivery enforces what reaches Kafka: without the broker's ack the change is rolled back. */
  private static void publish(Runnable send) {
    Suppression.flush(); // a constraint violation fails here, before anything is published
    try {
      send.run();
    } catch (RecordProducer.ProducerFailure e) {
      throw new ApiError.Unavailable("the change could not be published to delivery (" + e.getMessage()
          + "); nothing was changed, try again");
    }
  }

  private static Suppression apply(Suppression s, String address, SuppressionInput input) {
    s.address = address;
    s.reason = input.reason() == null || input.reason().isBlank() ? "added through the API" : input.reason().strip();
    s.expiresAt = input.expiresAt();
    s.source = Suppression.Source.API;
    if (s.createdAt == null) {
      s.createdAt = Instant.now();
    }
    return s;
  }

  private static Suppression find(String address) {
    return Suppression.find("address", SuppressionList.normalise(address)).firstResult();
  }

  private static Response notFound(String address) {
    return ApiError.response(Response.Status.NOT_FOUND, SuppressionList.normalise(address) + " is not listed");
  }

  private static Suppression.Source parseSource(String source) {
    try {
      return Suppression.Source.valueOf(source.strip().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ApiError.BadRequest("source must be BOUNCE or API");
    }
  }
}
