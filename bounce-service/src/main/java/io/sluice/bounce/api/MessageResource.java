package io.sluice.bounce.api;

import io.sluice.bounce.store.BounceReport;
import io.sluice.bounce.store.DeliveryEventRow;
import io.sluice.bounce.store.RecipientOutcome;
import io.sluice.bounce.store.TrackedMessage;
import io.sluice.schema.QueueIds;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/** Tracking: "what happened to message X?" */
@Path("/api/v1/messages")
@Produces(MediaType.APPLICATION_JSON)
public class MessageResource {

  /** The message, every recipient's latest outcome with its attempt history, and its reports. */
  @GET
  @Path("/{queueId}")
  public Response byQueueId(@PathParam("queueId") String queueId) {
    if (!QueueIds.isQueueId(queueId)) {
      return Response.status(Response.Status.BAD_REQUEST)
          .entity(Map.of("error", "bad_request", "detail", "not a queue id (26 Crockford base32 characters)")).build();
    }
    TrackedMessage message = TrackedMessage.findById(queueId);
    List<RecipientOutcome> outcomes = RecipientOutcome.list("queueId = ?1 order by recipient", queueId);
    if (message == null && outcomes.isEmpty()) {
      return Response.status(Response.Status.NOT_FOUND)
          .entity(Map.of("error", "not_found", "detail", "no events recorded for " + queueId)).build();
    }
    List<DeliveryEventRow> events = DeliveryEventRow.list("queueId = ?1 order by occurredAt, id", queueId);
    List<BounceReport> reports = BounceReport.list("queueId = ?1 order by attempt, kind", queueId);
    return Response.ok(MessageView.of(queueId, message, outcomes, events, reports)).build();
  }
}
