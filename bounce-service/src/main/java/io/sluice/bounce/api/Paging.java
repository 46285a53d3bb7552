package io.sluice.bounce.api;

import io.sluice.bounce.config.BounceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Checks the paging and time-range parameters shared by the list endpoints. */
@ApplicationScoped
public class Paging {
  @Inject BounceConfig config;

  /** A checked page request. */
  public record Request(int page, int size) {
    int offset() {
      return page * size;
    }
  }

  public Request of(Integer page, Integer size) {
    int p = page == null ? 0 : page;
    int s = size == null ? 50 : size;
    int max = config.api().maxPageSize();
    if (p < 0) {
      throw new ApiError.BadRequest("page must be 0 or more");
    }
    if (s < 1 || s > max) {
      throw new ApiError.BadRequest("size must be between 1 and " + max);
    }
    return new Request(p, s);
  }

  static Instant instant(String name, String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new ApiError.BadRequest(name + " must be an ISO-8601 instant such as 2026-11-23T10:00:00Z");
    }
  }
}
