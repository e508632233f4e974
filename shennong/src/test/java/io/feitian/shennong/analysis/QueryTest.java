package io.feitian.shennong.analysis;

import static io.feitian.shennong.analysis.Script.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Range queries: the resolution chosen, the points, the cost, and every bad input. */
class QueryTest {
  private static final long HOUR = 3_600_000;
  private static final long DAY = 24 * HOUR;

  private final ClusterTotals core = new ClusterTotals(AnalysisSettings.defaults(), "c1", T0);
  /** After {@link #run}: the time the queries are asked at, just after the last step formed. */
  private long now;

  QueryTest() {
    core.putNode(new NodeInfo("w1", "r1", "worker"));
    core.putNode(new NodeInfo("w2", "r2", "worker"));
  }

  /** Both nodes report memory every 5 s for {@code ms}: w1 the step's number mod 7, w2 always 100. */
  private void run(long ms) {
    for (long t = 0; t < ms; t += 5_000) {
      core.advance(T0 + t);
      long step = (T0 + t) / 10_000;
      core.write("system.memory.used.bytes", Map.of("node", "w1"), T0 + t, step % 7);
      core.write("system.memory.used.bytes", Map.of("node", "w2"), T0 + t, 100);
    }
    now = T0 + ms + 2_000;
    core.advance(now);
  }

  private QueryResult query(String selector, String grouping, long start, long end, long step) {
    return core.query(new TotalsQuery(selector, grouping, start, end, step), now);
  }

  @Test
  void aRangeWithinTheLastHourIsAnsweredAtTenSecondsWithAveragesAndMaxima() {
    run(HOUR / 2);
    // Points at 30 s multiples in [end - 60 s, end], each over three formed fine steps.
    long end = T0 + HOUR / 2 - 30_000;
    QueryResult r = query("memory.used.bytes", "node", end - 60_000, end, 30_000);

    assertThat(r.resolutionMs()).isEqualTo(10_000);
    QueryResult.Series w1 = r.series().stream().filter(s -> s.group().equals("w1")).findFirst().orElseThrow();
    assertThat(w1.total()).isEqualTo("memory.used.bytes");
    assertThat(w1.grouping()).isEqualTo("node");
    assertThat(w1.points()).hasSize(3);
    for (QueryResult.Point p : w1.points()) {
      long s = p.timeMs() / 10_000;
      double[] v = {s % 7, (s + 1) % 7, (s + 2) % 7};
      assertThat(p.avg()).isEqualTo((v[0] + v[1] + v[2]) / 3);
      assertThat(p.max()).isEqualTo(Math.max(v[0], Math.max(v[1], v[2])));
      assertThat(p.timeMs() % 30_000).isZero();
    }
    QueryResult cluster = query("memory.used.bytes", "cluster", end - 60_000, end, 10_000);
    assertThat(cluster.series()).singleElement().satisfies(s -> assertThat(s.points()).allSatisfy(
        p -> assertThat(p.avg()).isEqualTo(p.timeMs() / 10_000 % 7 + 100)));
  }

  @Test
  void aRangeOlderThanAnHourIsAnsweredAtOneMinute() {
    run(3 * HOUR);
    QueryResult r = query("memory.used.bytes", "rack", now - 2 * HOUR, now, 60_000);

    assertThat(r.resolutionMs()).isEqualTo(60_000);
    assertThat(r.series()).extracting(QueryResult.Series::group).containsExactlyInAnyOrder("r1", "r2");
    QueryResult.Series r1 = r.series().stream().filter(s -> s.group().equals("r1")).findFirst().orElseThrow();
    QueryResult.Point p = r1.points().get(0);
    long s0 = p.timeMs() / 10_000;
    double sum = 0;
    double max = 0;
    for (long s = s0; s < s0 + 6; s++) {
      sum += s % 7;
      max = Math.max(max, s % 7);
    }
    assertThat(p.avg()).isEqualTo(sum / 6);
    assertThat(p.max()).isEqualTo(max);
    // The same minute asked at 10 s would be refused: older than an hour.
    assertThatThrownBy(() -> query("memory.used.bytes", "rack", now - 2 * HOUR, now, 10_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("step: 10000 ms is finer than the 60000 ms resolution");
  }

  @Test
  void selectorMatchersPickGroupsAndPatternsPickTotals() {
    run(60_000);
    QueryResult r = query("memory.*|nodes{rack=~\"r1|r9\"}", "rack", now - 60_000, now, 10_000);

    assertThat(r.series()).extracting(s -> s.total() + " " + s.group())
        .containsExactlyInAnyOrder("memory.used.bytes r1", "nodes r1");
    assertThat(query("*", "job", now - 60_000, now, 10_000).series()).isEmpty();
  }

  @Test
  void a24HourQueryTouches1440PointsPerSeries() {
    run(DAY + HOUR);
    QueryResult r = query("memory.used.bytes", "cluster", now - DAY, now, 60_000);

    assertThat(r.resolutionMs()).isEqualTo(60_000);
    assertThat(r.pointsTouched()).isEqualTo(1440);
    assertThat(r.series().get(0).points()).hasSizeGreaterThanOrEqualTo(1439);
    QueryResult byNode = query("memory.used.bytes", "node", now - DAY, now, 5 * 60_000);
    assertThat(byNode.pointsTouched()).isEqualTo(2 * 1440);
    assertThat(byNode.series().get(0).points()).hasSize(288);
  }

  @Test
  void badInputIsRefusedNamingTheField() {
    run(60_000);
    List<Object[]> cases = List.of(
        new Object[] {new TotalsQuery("memory.used.bytes", "galaxy", now - 1, now, 10_000), "grouping: grouping \"galaxy\" is unknown; use cluster, rack, role, node, app, job, service"},
        new Object[] {new TotalsQuery("memory.used.bytes{", "node", now - 1, now, 10_000), "selector: "},
        new Object[] {new TotalsQuery(null, "node", now - 1, now, 10_000), "selector: missing"},
        new Object[] {new TotalsQuery("cpu.usage", "node", now - 1, now, 10_000), "selector: cpu.usage names no total; the totals are nodes, cpu.cores.used"},
        new Object[] {new TotalsQuery("memory.used.bytes{rack=\"r1\"}", "node", now - 1, now, 10_000), "selector: matcher rack=\"r1\" reads label \"rack\"; totals grouped by node have only that label"},
        new Object[] {new TotalsQuery("memory.used.bytes", "node", 0, now, 10_000), "range: start 0 must be positive"},
        new Object[] {new TotalsQuery("memory.used.bytes", "node", now, now - 1, 10_000), "range: end " + (now - 1) + " is before start " + now},
        new Object[] {new TotalsQuery("memory.used.bytes", "node", now + 1, now + 2, 10_000), "range: start " + (now + 1) + " is after now"},
        new Object[] {new TotalsQuery("memory.used.bytes", "node", now - DAY - 1, now, 60_000), "range: start " + (now - DAY - 1) + " is 86400001 ms ago, beyond the 86400000 ms of history kept"},
        new Object[] {new TotalsQuery("memory.used.bytes", "node", now - 1, now, 5_000), "step: 5000 ms is finer than the 10000 ms resolution"},
        new Object[] {new TotalsQuery("memory.used.bytes", "node", now - 1, now, 0), "step: 0 ms is finer than the 10000 ms resolution"},
        new Object[] {new TotalsQuery("memory.used.bytes", "node", now - 1, now, 15_000), "step: 15000 ms is not a multiple of the 10000 ms resolution"},
        new Object[] {new TotalsQuery("memory.used.bytes", "node", now - HOUR, now + 200 * HOUR, 10_000), "step: 10000 ms gives 72360 points over the range; at most 11000 are allowed"});
    for (Object[] c : cases) {
      assertThatThrownBy(() -> core.query((TotalsQuery) c[0], now)).as("%s", c[0])
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith((String) c[1]);
    }
  }
}
