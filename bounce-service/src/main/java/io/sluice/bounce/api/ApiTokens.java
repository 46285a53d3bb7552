package io.sluice.bounce.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The bearer tokens the tracking API accepts: the current one and, while clients are being moved,
 * the next one. Two at once let a token be rotated without every client switching at the same
 * moment.
 *
 * <p>Matching takes the same time whatever the given token is and whichever configured token it
 * matches: both sides are hashed to SHA-256 first (so lengths never differ) and every configured
 * token is compared, without stopping at the first match.
 */
public final class ApiTokens {
  private final List<byte[]> digests;

  private ApiTokens(List<byte[]> digests) {
    this.digests = digests;
  }

  /** Blank or absent values are ignored: an unset token must never match an empty bearer. */
  public static ApiTokens of(Optional<String> token, Optional<String> nextToken) {
    return new ApiTokens(Stream.of(token, nextToken).flatMap(Optional::stream).map(String::strip)
        .filter(t -> !t.isEmpty()).map(ApiTokens::sha256).toList());
  }

  public boolean isEmpty() {
    return digests.isEmpty();
  }

  public boolean accepts(String given) {
    if (given == null || digests.isEmpty()) {
      return false;
    }
    byte[] digest = sha256(given);
    boolean match = false;
    for (byte[] expected : digests) {
      match |= MessageDigest.isEqual(expected, digest);
    }
    return match;
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
