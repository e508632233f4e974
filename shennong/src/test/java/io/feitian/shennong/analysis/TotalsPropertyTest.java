package io.feitian.shennong.analysis;

import static io.feitian.shennong.analysis.Script.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Seeded (printed; {@code -Dseed=N} replays): random nodes in random racks and roles report random series, some
 * falling silent for a while; for every step, total and grouping, each group's total equals a brute-force sum of
 * what was written, and the rack, role and node groups add up to the cluster's total.
 */
class TotalsPropertyTest {
  private static final String[][] SERIES = {
      {"system.cpu.usage"}, {"system.cpu.count"}, {"system.memory.used.bytes"}, {"system.memory.total.bytes"},
      {"system.disk.read.bytes.per.second", "disk"}, {"system.disk.written.bytes.per.second", "disk"},
      {"system.network.received.bytes.per.second", "interface"}, {"system.network.sent.bytes.per.second",
          "interface"},
      {"taskworker.workers.running", "kind"}, {"process.cpu.cores", "app"}, {"process.memory.rss.bytes", "app"},
      {"job.instances", "job"}, {"service.workers", "service"}};

  /** One written sample, as the brute force sees it. */
  record Written(String node, String name, Map<String, String> labels, long ms, double value) {}

  @Test
  void groupTotalsAreTheSumsOfWhatWasWritten() {
    long seed = Long.getLong("seed", System.nanoTime());
    System.out.println("TotalsPropertyTest seed " + seed + " (-Dseed=" + seed + " replays)");
    Random random = new Random(seed);
    AnalysisSettings settings = AnalysisSettings.defaults();
    ClusterTotals core = new ClusterTotals(settings, "c1", T0);
    int nodeCount = 2 + random.nextInt(6);
    Map<String, NodeInfo> infos = new HashMap<>();
    for (int n = 0; n < nodeCount; n++) {
      String node = "n" + n;
      if (random.nextInt(5) > 0) {
        NodeInfo info = new NodeInfo(node, "r" + random.nextInt(3), random.nextBoolean() ? "master" : "worker");
        infos.put(node, info);
        core.putNode(info);
      }
    }
    List<Written> written = new ArrayList<>();
    int steps = 40;
    Map<String, Integer> silentUntil = new HashMap<>();
    Map<String, Long> newest = new HashMap<>();
    for (int step = 0; step < steps; step++) {
      long stepStart = step * 10_000L;
      for (long ms = stepStart; ms < stepStart + 10_000; ms += 2_500) {
        core.advance(T0 + ms);
        for (int n = 0; n < nodeCount; n++) {
          String node = "n" + n;
          if (silentUntil.getOrDefault(node, 0) > step) {
            continue;
          }
          if (random.nextInt(100) == 0) {
            silentUntil.put(node, step + 1 + random.nextInt(4));
            continue;
          }
          for (String[] s : SERIES) {
            if (random.nextInt(3) == 0) {
              continue;
            }
            Map<String, String> labels = new TreeMap<>();
            labels.put("node", node);
            if (s.length > 1) {
              labels.put(s[1], s[1] + random.nextInt(2));
            }
            if (s[0].equals("job.instances") || s[0].equals("service.workers")) {
              labels.put("state", "running");
            }
            long at = ms + random.nextInt(2_500);
            // A series' samples go forward in time, as a writer's do.
            if (newest.getOrDefault(node + s[0] + labels, -1L) >= at) {
              continue;
            }
            newest.put(node + s[0] + labels, at);
            double value = random.nextInt(64);
            assertThat(core.write(s[0], labels, T0 + at, value)).isEqualTo(ClusterTotals.Taken.ACCEPTED);
            written.add(new Written(node, s[0], labels, at, value));
          }
        }
      }
    }
    core.advance(T0 + steps * 10_000L + settings.graceMs());
    Map<String, List<Written>> bySeries = new HashMap<>();
    for (Written w : written) {
      bySeries.computeIfAbsent(w.node() + w.name() + w.labels(), k -> new ArrayList<>()).add(w);
    }

    for (int i = 0; i < steps; i++) {
      final int step = i;
      long fineStep = T0 / 10_000 + step;
      Map<String, Map<Written, Double>> values = values(bySeries, step, settings);
      for (Total total : Total.values()) {
        Map<Grouping, Map<String, Double>> expected = bruteForce(values, infos, total);
        for (Grouping g : Grouping.values()) {
          Map<String, Double> want = expected.getOrDefault(g, Map.of());
          Map<String, Double> got = new TreeMap<>();
          core.groups(total, g).forEach((group, h) -> {
            double v = h.fine().get(fineStep);
            if (!Double.isNaN(v)) {
              got.put(group, v);
            }
          });
          assertThat(got.keySet()).as("seed %d step %d %s by %s", seed, step, total, g)
              .isEqualTo(want.keySet());
          want.forEach((group, v) -> assertThat(got.get(group)).as("seed %d step %d %s %s=%s", seed, step, total,
              g, group).isCloseTo(v, within(1e-9)));
        }
        Double cluster = expected.getOrDefault(Grouping.CLUSTER, Map.of()).get("c1");
        for (Grouping g : new Grouping[] {Grouping.RACK, Grouping.ROLE, Grouping.NODE}) {
          double sum = expected.getOrDefault(g, Map.of()).values().stream().mapToDouble(Double::doubleValue).sum();
          assertThat(sum).as("seed %d step %d %s by %s adds up", seed, step, total, g)
              .isCloseTo(cluster == null ? 0 : cluster, within(1e-9));
        }
      }
    }
  }

  /** The rules of package-info, computed from the list of samples written. */
  /** The value of each (node, series) in the step, keyed by the series' first sample. */
  private static Map<String, Map<Written, Double>> values(Map<String, List<Written>> bySeries, int step,
      AnalysisSettings settings) {
    long end = (step + 1) * 10_000L;
    Map<String, Map<Written, Double>> byNode = new TreeMap<>();
    for (List<Written> series : bySeries.values()) {
      double value = Double.NaN;
      int newestStep = -1;
      for (Written w : series) {
        newestStep = w.ms() < end ? Math.max(newestStep, (int) (w.ms() / 10_000)) : newestStep;
      }
      if (newestStep >= 0) {
        final int s = newestStep;
        List<Written> inStep = series.stream().filter(w -> w.ms() / 10_000 == s).toList();
        long newestMs = inStep.stream().mapToLong(Written::ms).max().orElseThrow();
        if (s == step || newestMs > end - settings.stalenessMs()) {
          value = inStep.stream().mapToDouble(Written::value).average().orElseThrow();
        }
      }
      if (!Double.isNaN(value)) {
        byNode.computeIfAbsent(series.get(0).node(), k -> new HashMap<>()).put(series.get(0), value);
      }
    }
    return byNode;
  }

  private static Map<Grouping, Map<String, Double>> bruteForce(Map<String, Map<Written, Double>> byNode,
      Map<String, NodeInfo> infos, Total total) {
    Map<Grouping, Map<String, Double>> out = new HashMap<>();
    byNode.forEach((node, values) -> {
      NodeInfo info = infos.get(node);
      if (total == Total.NODES) {
        add(out, "c1", info, node, Map.of(), 1);
        return;
      }
      values.forEach((w, v) -> {
        if (!w.name().equals(total.input())) {
          return;
        }
        double x = v;
        if (total == Total.CPU_CORES_USED) {
          Double count = values.entrySet().stream().filter(e -> e.getKey().name().equals("system.cpu.count"))
              .map(Map.Entry::getValue).findFirst().orElse(null);
          if (count == null) {
            return;
          }
          x *= count;
        }
        add(out, "c1", info, node, w.labels(), x);
      });
    });
    return out;
  }

  private static void add(Map<Grouping, Map<String, Double>> out, String cluster, NodeInfo info, String node,
      Map<String, String> labels, double v) {
    Map<Grouping, String> groups = new HashMap<>();
    groups.put(Grouping.CLUSTER, cluster);
    groups.put(Grouping.RACK, info == null ? "" : info.rack());
    groups.put(Grouping.ROLE, info == null ? "" : info.role());
    groups.put(Grouping.NODE, node);
    for (Grouping g : new Grouping[] {Grouping.APP, Grouping.JOB, Grouping.SERVICE}) {
      if (labels.containsKey(g.label())) {
        groups.put(g, labels.get(g.label()));
      }
    }
    groups.forEach((g, group) -> out.computeIfAbsent(g, k -> new TreeMap<>()).merge(group, v, Double::sum));
  }
}
