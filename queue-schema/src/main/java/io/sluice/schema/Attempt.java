package io.sluice.schema;

import java.time.Instant;
import java.util.Objects;

/** One earlier delivery attempt, kept in a deferred record's history. */
public record Attempt(Instant at, String remoteMta, RemoteReply reply) {
  public Attempt {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(reply, "reply");
  }
}
