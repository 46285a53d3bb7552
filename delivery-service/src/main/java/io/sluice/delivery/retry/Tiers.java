package io.sluice.delivery.retry;

import io.sluice.schema.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The deferred tiers: topics {@code sluice.deferred.<name>} where each name is also the tier's
 * nominal delay ({@code 1m}, {@code 5m}, {@code 30m}, {@code 2h}, {@code 6h}). A deferred record goes to
 * the longest tier not longer than its delay, so that it waits in a topic whose records all become
 * due at about the same pace, and is held there until its not-before time.
 */
public record Tiers(List<Tier> tiers) {
  private static final Pattern NAME = Pattern.compile("(\\d+)(s|m|h|d)");

  /** @param topic {@code sluice.deferred.<name>}, computed once: every consumed record looks its tier up. */
  public record Tier(String name, Duration delay, String topic) {
    public Tier(String name, Duration delay) {
      this(name, delay, Topics.deferred(name));
    }
  }

  public Tiers {
    if (tiers.isEmpty()) {
      throw new IllegalArgumentException("at least one deferred tier is needed");
    }
    tiers = tiers.stream().sorted(Comparator.comparing(Tier::delay)).toList();
  }

  public static Tiers parse(List<String> names) {
    List<Tier> out = new ArrayList<>();
    for (String raw : names) {
      String name = raw.strip();
      Matcher m = NAME.matcher(name);
      if (!m.matches()) {
        throw new IllegalArgumentException("tier name must be a number and s|m|h|d, e.g. 5m; got: " + raw);
      }
      long n = Long.parseLong(m.group(1));
      Duration d = switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
      out.add(new Tier(name, d));
    }
    return new Tiers(out);
  }

  /** The longest tier whose delay does not exceed {@code delay}; the shortest tier for shorter delays. */
  public Tier forDelay(Duration delay) {
    Tier chosen = tiers.getFirst();
    for (Tier t : tiers) {
      if (t.delay().compareTo(delay) <= 0) {
        chosen = t;
      }
    }
    return chosen;
  }

  /** The tier whose topic this is, if any. */
  public java.util.Optional<Tier> byTopic(String topic) {
    for (Tier t : tiers) { // a loop, not a stream: the consumer thread asks for every record
      if (t.topic().equals(topic)) {
        return java.util.Optional.of(t);
      }
    }
    return java.util.Optional.empty();
  }

  public List<String> topics() {
    return tiers.stream().map(Tier::topic).toList();
  }
}
