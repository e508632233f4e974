package io.feitian.shennong.analysis.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.shennong.analysis.AnalysisSettings;
import io.feitian.shennong.analysis.ClusterTotals;
import io.feitian.shennong.analysis.NodeInfo;
import io.feitian.shennong.analysis.QueryResult;
import io.feitian.shennong.analysis.TotalsQuery;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Node metadata as fuxi-master's list changes, applied to the real core. */
class NodeBookTest {
  private static final long T0 = 1_800_000_000_000L;
  private static final long STEP = 10_000;

  private final ClusterTotals core = new ClusterTotals(AnalysisSettings.defaults(), "c1", T0);
  private final NodeBook book = new NodeBook(Map.of("m1", new NodeInfo("m1", "r9", "master")));

  private void fuxiLists(NodeInfo... nodes) {
    Map<String, NodeInfo> list = new TreeMap<>();
    for (NodeInfo n : nodes) {
      list.put(n.node(), n);
    }
    NodeBook.Changes changes = book.update(list);
    changes.put().forEach(core::putNode);
    changes.removed().forEach(core::removeNode);
  }

  /** Every node reports in step {@code step}; then the group → nodes counted by rack in it. */
  private Map<String, Double> racksAt(int step) {
    long start = T0 + step * STEP;
    for (String node : new String[] {"m1", "w1", "w2"}) {
      core.write("system.cpu.count", Map.of("node", node), start + 1_000, 4);
    }
    core.advance(start + STEP + 2_001);
    QueryResult r = core.query(new TotalsQuery("nodes", "rack", start, start, STEP), start + STEP + 2_001);
    Map<String, Double> out = new TreeMap<>();
    r.series().forEach(s -> s.points().forEach(p -> out.put(s.group(), p.avg())));
    return out;
  }

  @Test
  void aNodeThatLeftFuxiMastersListFallsBackToNoRackUnlessConfigured() {
    fuxiLists(new NodeInfo("w1", "r1", "worker"), new NodeInfo("w2", "r2", "worker"),
        new NodeInfo("m1", "r1", "worker"));
    assertThat(racksAt(0)).as("the configuration wins for m1").isEqualTo(Map.of("r1", 1.0, "r2", 1.0, "r9", 1.0));

    fuxiLists(new NodeInfo("w2", "r2", "worker"));
    assertThat(racksAt(1)).as("w1 left: rack \"\"; m1 left but is configured: r9")
        .isEqualTo(Map.of("", 1.0, "r2", 1.0, "r9", 1.0));

    fuxiLists(new NodeInfo("w1", "r3", "worker"), new NodeInfo("w2", "r2", "worker"));
    assertThat(racksAt(2)).as("w1 back, in another rack").isEqualTo(Map.of("r3", 1.0, "r2", 1.0, "r9", 1.0));
  }

  @Test
  void theChangesNameOnlyNodesThatLeftAndAreNotConfigured() {
    book.update(Map.of("w1", new NodeInfo("w1", "r1", "worker"), "m1", new NodeInfo("m1", "r1", "worker")));
    NodeBook.Changes changes = book.update(Map.of());
    assertThat(changes.removed()).containsExactly("w1");
    assertThat(changes.put()).containsExactly(new NodeInfo("m1", "r9", "master"));
    assertThat(book.update(Map.of()).removed()).as("told once").isEmpty();
  }
}
