package io.sluice.delivery.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MxOrderTest {
  private final List<MxOrder.Mx> records = List.of(new MxOrder.Mx(20, "c"), new MxOrder.Mx(10, "a"),
      new MxOrder.Mx(10, "b"), new MxOrder.Mx(30, "d"));

  @Test
  void lowerPreferenceComesFirst() {
    List<MxOrder.Mx> ordered = MxOrder.order(records, new Random(1));
    assertThat(ordered).extracting(MxOrder.Mx::preference).containsExactly(10, 10, 20, 30);
    assertThat(ordered.subList(2, 4)).extracting(MxOrder.Mx::host).containsExactly("c", "d");
  }

  @Test
  void equalPreferencesComeInRandomOrder() {
    Set<String> firsts = new HashSet<>();
    Random random = new Random(42);
    for (int i = 0; i < 50; i++) {
      firsts.add(MxOrder.order(records, random).getFirst().host());
    }
    assertThat(firsts).containsExactlyInAnyOrder("a", "b");
  }
}
