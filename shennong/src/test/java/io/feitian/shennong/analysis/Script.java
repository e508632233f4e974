package io.feitian.shennong.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

/** Writes scripted samples into a core, as the inspector and the daemons label them. */
final class Script {
  /** The start of a coarse (1 min) step, and so of a fine one. */
  static final long T0 = 1_700_000_040_000L;

  private final ClusterTotals core;

  Script(ClusterTotals core) {
    this.core = core;
  }

  /** Writes {@code name{node, labels...}} = value at T0 + ms. */
  Script write(String node, String name, long ms, double value, String... labels) {
    Map<String, String> l = new HashMap<>();
    if (node != null) {
      l.put("node", node);
    }
    for (int i = 0; i < labels.length; i += 2) {
      l.put(labels[i], labels[i + 1]);
    }
    assertThat(core.write(name, l, T0 + ms, value)).isEqualTo(ClusterTotals.Taken.ACCEPTED);
    return this;
  }

  /** Forms every step ended by T0 + ms (grace included). */
  Script at(long ms) {
    core.advance(T0 + ms);
    return this;
  }

  /** The total of one group in the fine step starting at T0 + ms, NaN without a point. */
  double fine(String total, String grouping, String group, long ms) {
    TotalHistory h = core.groups(Total.named(total), Grouping.named(grouping)).get(group);
    return h == null ? Double.NaN : h.fine().get(Math.floorDiv(T0 + ms, core.settings().fineStepMs()));
  }
}
