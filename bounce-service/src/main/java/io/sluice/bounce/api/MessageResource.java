package io.sluice.bounce.api;

import io.sluice.bounce.store.BounceReport;
import io.sluice.bounce.store.DeliveryEventRow;
import io.sluice.bounce.store.RecipientOutcome;
import io.sluice.bounce.store.TrackedMessage;
import io.sluice.schema.QueueIds;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Tracking: "what happened to message X?" */
@Path("/api/v1/messages")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "messages", description = "Tracking by queue id or Message-ID")
public class MessageResource {
  @Inject Paging paging;

  @GET
  @Path("/{queueId}")
  @APIResponse(responseCode = "200", description = "the message", content = @Content(mediaType = "application/json", schema = @Schema(implementation = MessageView.class)))
  @APIResponse(responseCode = "400", description = "not a queue id", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.class)))
  @APIResponse(responseCode = "404", description = "nothing recorded", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.class)))
  @Operation(summary = "A message by queue id: every recipient's latest outcome with its attempt history, and the reports sent about it")
  public Response byQueueId(@PathParam("queueId") String queueId) {
    if (!QueueIds.isQueueId(queueId)) {
      return ApiError.response(Response.Status.BAD_REQUEST, "not a queue id (26 Crockford base32 characters)");
    }
    MessageView view = view(queueId, TrackedMessage.findById(queueId));
    return view == null
        ? ApiError.response(Response.Status.NOT_FOUND, "no events recorded for " + queueId)
        : Response.ok(view).build();
  }

  @GET
  @Operation(summary = "Messages by Message-ID header (angle brackets optional), newest first")
  public Page<MessageView> byMessageId(@QueryParam("messageId") String messageId, @QueryParam("page") Integer page,
      @QueryParam("size") Integer size) {
    Paging.Request p = paging.of(page, size);
    if (messageId == null || messageId.isBlank()) {
      throw new ApiError.BadRequest("messageId is required");
    }
    String id = messageId.strip();
    List<String> forms = id.startsWith("<") ? List.of(id, id.substring(1, id.length() - (id.endsWith(">") ? 1 : 0)))
        : List.of(id, "<" + id + ">");
    var query = TrackedMessage.<TrackedMessage>find("messageId in ?1 order by receivedAt desc, queueId", forms);
    long total = query.count();
    List<MessageView> items = query.page(p.page(), p.size()).list().stream().map(m -> view(m.queueId, m)).toList();
    return new Page<>(items, p.page(), p.size(), total);
  }

  static MessageView view(String queueId, TrackedMessage message) {
    List<RecipientOutcome> outcomes = RecipientOutcome.list("queueId = ?1 order by recipient", queueId);
    if (message == null && outcomes.isEmpty()) {
      return null;
    }
    List<DeliveryEventRow> events = DeliveryEventRow.list("queueId = ?1 order by occurredAt, id", queueId);
    List<BounceReport> reports = BounceReport.list("queueId = ?1 order by attempt, kind, recipient", queueId);
    return MessageView.of(queueId, message, outcomes, events, reports);
  }
}
