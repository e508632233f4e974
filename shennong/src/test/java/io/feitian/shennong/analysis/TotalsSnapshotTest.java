package io.feitian.shennong.analysis;

import static io.feitian.shennong.analysis.Script.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The snapshot restores every query's answer; a damaged one is refused, saying how. */
class TotalsSnapshotTest {
  private static final long HOUR = 3_600_000;
  private final AnalysisSettings settings = AnalysisSettings.defaults();

  /** A core fed for {@code ms} by three nodes; returns it advanced to T0 + ms + 2 s. */
  private ClusterTotals fed(long ms) {
    ClusterTotals core = new ClusterTotals(settings, "c1", T0);
    core.putNode(new NodeInfo("w1", "r1", "worker"));
    core.putNode(new NodeInfo("w2", "r2", "worker"));
    for (long t = 0; t < ms; t += 10_000) {
      core.advance(T0 + t);
      long step = t / 10_000;
      core.write("system.memory.used.bytes", Map.of("node", "w1"), T0 + t, step % 13);
      core.write("system.disk.read.bytes.per.second", Map.of("node", "w2", "disk", "vda"), T0 + t, step % 5);
      core.write("job.instances", Map.of("node", "w2", "job", "app-" + step / 40, "state", "running"), T0 + t, 3);
    }
    core.advance(T0 + ms + 2_000);
    return core;
  }

  /** Every total by every grouping, at both resolutions, as text. */
  private static String everything(ClusterTotals core, long now) {
    StringBuilder out = new StringBuilder();
    for (Grouping g : Grouping.values()) {
      out.append(core.query(new TotalsQuery("*", g.label(), now - HOUR, now, 10_000), now)).append('\n');
      out.append(core.query(new TotalsQuery("*", g.label(), now - 24 * HOUR, now, 60_000), now)).append('\n');
    }
    return out.toString();
  }

  @Test
  void aRestoredCoreAnswersEveryQueryAsTheOriginalAndGoesOn() {
    ClusterTotals original = fed(3 * HOUR);
    long now = T0 + 3 * HOUR + 2_000;
    byte[] bytes = original.snapshot(now);

    ClusterTotals restored = ClusterTotals.restore(settings, "c1", bytes, now);
    assertThat(restored.seriesCount()).isEqualTo(original.seriesCount());
    assertThat(restored.nextStep()).isEqualTo(original.nextStep());
    String before = everything(original, now);
    assertThat(before).contains("app-26", "memory.used.bytes");
    assertThat(everything(restored, now)).isEqualTo(before);

    // Both go on alike: the standby takes the next samples where the original would have.
    for (ClusterTotals c : new ClusterTotals[] {original, restored}) {
      c.putNode(new NodeInfo("w1", "r1", "worker"));
      c.write("system.memory.used.bytes", Map.of("node", "w1"), T0 + 3 * HOUR + 1_000, 42);
      c.advance(now + 10_000);
    }
    assertThat(everything(restored, now + 10_000)).isEqualTo(everything(original, now + 10_000))
        .contains("42.0");
  }

  @Test
  void aSnapshotRestoredLaterHasAGapAndOneRestoredWithShorterRetentionKeepsWhatFits() {
    ClusterTotals original = fed(2 * HOUR);
    byte[] bytes = original.snapshot(T0 + 2 * HOUR);
    long later = T0 + 2 * HOUR + 10 * 60_000;

    ClusterTotals restored = ClusterTotals.restore(settings, "c1", bytes, later);
    assertThat(restored.nextStep()).isEqualTo(later / 10_000);
    assertThat(everything(restored, later)).isEqualTo(everything(original, later));

    // 90 minutes of coarse history: minutes 30 to 119 of the original's 120 fit.
    AnalysisSettings shorter = new AnalysisSettings(10_000, HOUR, 60_000, 90 * 60_000, 15_000, 2_000, 10_000);
    ClusterTotals small = ClusterTotals.restore(shorter, "c1", bytes, T0 + 2 * HOUR);
    QueryResult r = small.query(new TotalsQuery("memory.used.bytes", "cluster", T0 + 30 * 60_000,
        T0 + 2 * HOUR, 60_000), T0 + 2 * HOUR);
    assertThat(r.resolutionMs()).isEqualTo(60_000);
    assertThat(r.series().get(0).points()).hasSize(90);
    assertThat(r.series().get(0).points().get(0).timeMs()).isEqualTo(T0 + 30 * 60_000);
  }

  @Test
  void anEmptyCoreRoundTrips() {
    ClusterTotals empty = new ClusterTotals(settings, "c1", T0);
    byte[] bytes = empty.snapshot(T0);
    assertThat(ClusterTotals.restore(settings, "c1", bytes, T0).seriesCount()).isZero();
  }

  @Test
  void aDamagedSnapshotIsRefusedSayingHow() {
    byte[] good = fed(10 * 60_000).snapshot(T0);
    assertThat(good.length).isGreaterThan(1000);

    refused(Arrays.copyOf(good, 10), "snapshot: 10 bytes is shorter than the 16-byte header");
    refused(Arrays.copyOf(good, good.length - 1), "snapshot: the header says " + (good.length - 16)
        + " bytes of history and " + (good.length - 17) + " follow (cut short or padded)");
    refused(Arrays.copyOf(good, good.length + 3), "snapshot: the header says");
    byte[] flipped = good.clone();
    flipped[good.length / 2] ^= 0x10;
    refused(flipped, "snapshot: CRC-32 mismatch; the snapshot is corrupted");
    byte[] magic = good.clone();
    magic[0] = 'X';
    refused(magic, "snapshot: does not start with \"FTAS\"");
    byte[] version = good.clone();
    version[7] = 2;
    refused(version, "snapshot: version 2 is not supported; this service reads 1");

    AnalysisSettings other = new AnalysisSettings(5_000, HOUR, 60_000, 24 * HOUR, 15_000, 2_000, 10_000);
    assertThatThrownBy(() -> ClusterTotals.restore(other, "c1", good, T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("snapshot: kept at 10000 ms and 60000 ms resolutions; this service keeps 5000 ms and 60000 ms");
  }

  private void refused(byte[] bytes, String message) {
    assertThatThrownBy(() -> ClusterTotals.restore(settings, "c1", bytes, T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }
}
