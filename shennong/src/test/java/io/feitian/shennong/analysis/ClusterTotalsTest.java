package io.feitian.shennong.analysis;

import static io.feitian.shennong.analysis.Script.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scripted samples of a small cluster through every total and grouping, step formation and staleness. */
class ClusterTotalsTest {
  private final ClusterTotals core = new ClusterTotals(AnalysisSettings.defaults(), "c1", T0);
  private final Script script = new Script(core);

  ClusterTotalsTest() {
    core.putNode(new NodeInfo("m1", "r1", "master"));
    core.putNode(new NodeInfo("w1", "r1", "worker"));
    core.putNode(new NodeInfo("w2", "r2", "worker"));
  }

  @Test
  void totalsAreTheSumsOfTheNodesSeriesByEveryGrouping() {
    script.write("m1", "system.cpu.usage", 1000, 0.5)
        .write("m1", "system.cpu.count", 1000, 4)
        .write("w1", "system.cpu.usage", 1000, 0.25)
        .write("w1", "system.cpu.count", 1000, 8)
        .write("w2", "system.cpu.usage", 1000, 1.0)
        .write("w2", "system.cpu.count", 1000, 2)
        .write("w1", "system.disk.read.bytes.per.second", 1000, 100, "disk", "vda")
        .write("w1", "system.disk.read.bytes.per.second", 1000, 50, "disk", "vdb")
        .write("w2", "system.disk.read.bytes.per.second", 1000, 7, "disk", "vda")
        .write("m1", "system.network.sent.bytes.per.second", 1000, 11, "interface", "eth0")
        .write("w2", "system.network.sent.bytes.per.second", 1000, 22, "interface", "eth0")
        .write("w1", "system.memory.used.bytes", 1000, 3e9)
        .write("w2", "system.memory.used.bytes", 1000, 5e9)
        .write("w1", "taskworker.workers.running", 1000, 3, "kind", "worker")
        .write("w1", "taskworker.workers.running", 1000, 1, "kind", "master")
        .write("w2", "taskworker.workers.running", 1000, 2, "kind", "worker")
        .write("w1", "job.instances", 1000, 3, "job", "app-1", "task", "map", "state", "running")
        .write("w1", "job.instances", 1000, 2, "job", "app-1", "task", "reduce", "state", "running")
        .write("w2", "job.instances", 1000, 4, "job", "app-2", "task", "map", "state", "running")
        .write("w1", "process.cpu.cores", 1000, 0.5, "role", "worker", "pid", "10", "app", "app-1")
        .write("w2", "process.cpu.cores", 1000, 0.25, "role", "worker", "pid", "11", "app", "app-1")
        .write("w2", "process.cpu.cores", 1000, 0.125, "role", "task-worker", "pid", "12")
        .write("w1", "service.workers", 1000, 2, "service", "kv", "role", "server", "state", "running")
        .at(12_000);

    assertThat(script.fine("cpu.cores.used", "cluster", "c1", 0)).isEqualTo(2 + 2 + 2);
    assertThat(script.fine("cpu.cores.used", "rack", "r1", 0)).isEqualTo(4);
    assertThat(script.fine("cpu.cores.used", "role", "worker", 0)).isEqualTo(4);
    assertThat(script.fine("cpu.cores", "cluster", "c1", 0)).isEqualTo(14);
    assertThat(script.fine("cpu.cores", "node", "w1", 0)).isEqualTo(8);
    assertThat(script.fine("disk.read.bytes.per.second", "cluster", "c1", 0)).isEqualTo(157);
    assertThat(script.fine("disk.read.bytes.per.second", "node", "w1", 0)).isEqualTo(150);
    assertThat(script.fine("disk.read.bytes.per.second", "rack", "r2", 0)).isEqualTo(7);
    assertThat(script.fine("network.sent.bytes.per.second", "role", "master", 0)).isEqualTo(11);
    assertThat(script.fine("network.sent.bytes.per.second", "role", "worker", 0)).isEqualTo(22);
    assertThat(script.fine("memory.used.bytes", "cluster", "c1", 0)).isEqualTo(8e9);
    assertThat(script.fine("workers.running", "cluster", "c1", 0)).isEqualTo(6);
    assertThat(script.fine("workers.running", "rack", "r1", 0)).isEqualTo(4);
    assertThat(script.fine("instances.running", "job", "app-1", 0)).isEqualTo(5);
    assertThat(script.fine("instances.running", "job", "app-2", 0)).isEqualTo(4);
    assertThat(script.fine("instances.running", "cluster", "c1", 0)).isEqualTo(9);
    assertThat(script.fine("process.cpu.cores", "app", "app-1", 0)).isEqualTo(0.75);
    assertThat(script.fine("process.cpu.cores", "cluster", "c1", 0)).isEqualTo(0.875);
    assertThat(script.fine("service.workers.running", "service", "kv", 0)).isEqualTo(2);
    assertThat(script.fine("nodes", "cluster", "c1", 0)).isEqualTo(3);
    assertThat(script.fine("nodes", "rack", "r1", 0)).isEqualTo(2);
    // Only series carrying the label have such groups: no job group for CPU, no "" job group.
    assertThat(core.groups(Total.CPU_CORES_USED, Grouping.JOB)).isEmpty();
    assertThat(core.groups(Total.INSTANCES_RUNNING, Grouping.JOB)).containsOnlyKeys("app-1", "app-2");
    assertThat(core.groups(Total.PROCESS_CPU_CORES, Grouping.APP)).containsOnlyKeys("app-1");
  }

  @Test
  void aSeriesValueInAStepIsTheAverageOfItsSamples() {
    script.write("w1", "system.memory.used.bytes", 1000, 100)
        .write("w1", "system.memory.used.bytes", 4000, 200)
        .write("w1", "system.memory.used.bytes", 9000, 600)
        .write("w1", "system.memory.used.bytes", 11_000, 50)
        .at(12_000);

    assertThat(script.fine("memory.used.bytes", "node", "w1", 0)).isEqualTo(300);
    assertThat(script.fine("memory.used.bytes", "node", "w1", 10_000)).isNaN();
    script.at(22_000);
    assertThat(script.fine("memory.used.bytes", "node", "w1", 10_000)).isEqualTo(50);
  }

  @Test
  void aStepIsFormedOnlyAfterItsGraceAndLateSamplesAreRefused() {
    script.write("w1", "system.memory.used.bytes", 9_500, 1).at(11_999);
    assertThat(core.nextStep()).isEqualTo(T0 / 10_000);
    // A sample sent at the step's end arrives within the grace and counts.
    script.write("w1", "system.memory.used.bytes", 9_900, 3).at(12_000);
    assertThat(script.fine("memory.used.bytes", "node", "w1", 0)).isEqualTo(2);

    assertThat(core.write("system.memory.used.bytes", Map.of("node", "w1"), T0 + 9_950, 5))
        .isEqualTo(ClusterTotals.Taken.LATE);
    assertThat(core.write("system.memory.used.bytes", Map.of("node", "w1"), T0 + 30_000, 5))
        .isEqualTo(ClusterTotals.Taken.AHEAD);
    assertThat(core.write("system.memory.used.bytes", Map.of("node", "w1"), T0 + 12_000, Double.NaN))
        .isEqualTo(ClusterTotals.Taken.NOT_FINITE);
    assertThat(core.write("system.load.average.1m", Map.of("node", "w1"), T0 + 12_000, 1))
        .isEqualTo(ClusterTotals.Taken.NOT_AN_INPUT);
    assertThat(core.write("job.instances", Map.of("node", "w1", "job", "a", "state", "done"), T0 + 12_000, 1))
        .isEqualTo(ClusterTotals.Taken.NOT_AN_INPUT);
    Counts counts = core.counts();
    assertThat(counts.of(Counts.Kind.ACCEPTED)).isEqualTo(2);
    assertThat(counts.of(Counts.Kind.LATE)).isEqualTo(1);
    assertThat(counts.of(Counts.Kind.AHEAD)).isEqualTo(1);
    assertThat(counts.of(Counts.Kind.NOT_FINITE)).isEqualTo(1);
    assertThat(counts.of(Counts.Kind.NOT_AN_INPUT)).isEqualTo(2);
  }

  @Test
  void aNodeThatStopsReportingCountsUntilTheStalenessBoundThenNotAtAll() {
    // Staleness 15 s: w2's newest sample at 9.5 s still counts at the end of step [10, 20) (10.5 s old), not of [20, 30).
    script.write("w1", "system.memory.used.bytes", 9_500, 10)
        .write("w2", "system.memory.used.bytes", 9_500, 20)
        .at(12_000)
        .write("w1", "system.memory.used.bytes", 19_500, 11)
        .at(22_000)
        .write("w1", "system.memory.used.bytes", 29_500, 12)
        .at(32_000);

    assertThat(script.fine("memory.used.bytes", "cluster", "c1", 0)).isEqualTo(30);
    assertThat(script.fine("memory.used.bytes", "cluster", "c1", 10_000)).isEqualTo(31);
    assertThat(script.fine("memory.used.bytes", "cluster", "c1", 20_000)).isEqualTo(12);
    assertThat(script.fine("nodes", "cluster", "c1", 20_000)).isEqualTo(1);
    assertThat(script.fine("memory.used.bytes", "node", "w2", 20_000)).isNaN();
    assertThat(script.fine("memory.used.bytes", "rack", "r2", 20_000)).isNaN();
    // Its input is forgotten: the core holds w1's only.
    assertThat(core.inputCount()).isEqualTo(1);
  }

  @Test
  void cpuCoresUsedNeedsTheNodesCpuCount() {
    script.write("w1", "system.cpu.usage", 1000, 0.5).write("w2", "system.cpu.usage", 1000, 0.5)
        .write("w2", "system.cpu.count", 1000, 4).at(12_000);

    assertThat(script.fine("cpu.cores.used", "cluster", "c1", 0)).isEqualTo(2);
    assertThat(script.fine("cpu.cores.used", "node", "w1", 0)).isNaN();
  }

  @Test
  void nodesWithoutMetadataOrNodeLabelStillAddUpUnderEmptyGroups() {
    script.write("x9", "system.memory.used.bytes", 1000, 5)
        .write(null, "job.instances", 1000, 2, "job", "app-3", "state", "running")
        .write("w1", "system.memory.used.bytes", 1000, 1)
        .at(12_000);

    assertThat(script.fine("memory.used.bytes", "rack", "", 0)).isEqualTo(5);
    assertThat(script.fine("memory.used.bytes", "role", "", 0)).isEqualTo(5);
    assertThat(script.fine("memory.used.bytes", "cluster", "c1", 0)).isEqualTo(6);
    assertThat(script.fine("instances.running", "node", "", 0)).isEqualTo(2);
    assertThat(script.fine("instances.running", "job", "app-3", 0)).isEqualTo(2);
  }

  @Test
  void historySeriesBeyondTheLimitAreRefusedAndCounted() {
    AnalysisSettings s = AnalysisSettings.defaults();
    ClusterTotals small = new ClusterTotals(new AnalysisSettings(s.fineStepMs(), s.fineRetentionMs(),
        s.coarseStepMs(), s.coarseRetentionMs(), s.stalenessMs(), s.graceMs(), 5), "c1", T0);
    small.write("system.memory.used.bytes", Map.of("node", "w1"), T0 + 1000, 1);
    small.advance(T0 + 12_000);

    // memory and nodes, each by cluster, rack, role and node: 8 series, of which 5 are kept.
    assertThat(small.seriesCount()).isEqualTo(5);
    assertThat(small.counts().of(Counts.Kind.SERIES_REFUSED)).isEqualTo(3);
  }

  @Test
  void aLongSilenceSkipsEmptyStepsAndHistoryExpiresAfterTheCoarseRetention() {
    script.write("w1", "system.memory.used.bytes", 1000, 1).at(12_000);
    assertThat(core.seriesCount()).isGreaterThan(0);

    script.at(25L * 3600 * 1000);
    assertThat(core.nextStep()).isEqualTo((T0 + 25L * 3600 * 1000 - 2000) / 10_000);
    script.write("w2", "system.memory.used.bytes", 25L * 3600 * 1000 + 1000, 1).at(25L * 3600 * 1000 + 12_000);
    assertThat(core.groups(Total.MEMORY_USED, Grouping.NODE)).containsOnlyKeys("w2");
  }

  @Test
  void settingsAreChecked() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AnalysisSettings(10_000, 3_600_000, 15_000,
        86_400_000, 15_000, 2_000, 10)).hasMessageContaining("coarse-step is 15000 ms; it must be a positive multiple");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AnalysisSettings(10_000, 3_600_000, 60_000,
        86_400_000, 15_000, 10_000, 10)).hasMessageContaining("grace");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AnalysisSettings(10_000, 3_600_000, 60_000,
        86_400_000, 5_000, 2_000, 10)).hasMessageContaining("staleness");
    assertThat(AnalysisSettings.defaults().finePoints()).isEqualTo(360);
    assertThat(AnalysisSettings.defaults().coarsePoints()).isEqualTo(1440);
    assertThat(new TotalHistory(AnalysisSettings.defaults()).retainedBytes()).isEqualTo(26_064);
  }
}
