package io.sluice.bounce.api;

import jakarta.ws.rs.core.Response;

/** The JSON body of every API error: a short code and a sentence for the operator. */
public record ApiError(String error, String detail) {
  static Response response(Response.Status status, String detail) {
    String code = status.getReasonPhrase().toLowerCase(java.util.Locale.ROOT).replace(' ', '_');
    return Response.status(status).entity(new ApiError(code, detail)).build();
  }

  /** Thrown by parameter checks; mapped to 400. */
  static final class BadRequest extends jakarta.ws.rs.WebApplicationException {
    BadRequest(String detail) {
      super(detail, response(Response.Status.BAD_REQUEST, detail));
    }
  }

  /** The change could not be published to Kafka; thrown so that the transaction rolls back. */
  static final class Unavailable extends jakarta.ws.rs.WebApplicationException {
    Unavailable(String detail) {
      super(detail, response(Response.Status.SERVICE_UNAVAILABLE, detail));
    }
  }
}
