package io.sluice.delivery.route;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** RFC 5321 §5.1: lowest preference first; hosts of equal preference in random order. */
public final class MxOrder {
  private MxOrder() {}

  public record Mx(int preference, String host) {}

  public static List<Mx> order(List<Mx> records, Random random) {
    Map<Integer, List<Mx>> byPreference = new TreeMap<>(Comparator.naturalOrder());
    for (Mx mx : records) {
      byPreference.computeIfAbsent(mx.preference(), p -> new ArrayList<>()).add(mx);
    }
    List<Mx> ordered = new ArrayList<>(records.size());
    for (List<Mx> same : byPreference.values()) {
      Collections.shuffle(same, random);
      ordered.addAll(same);
    }
    return ordered;
  }
}
