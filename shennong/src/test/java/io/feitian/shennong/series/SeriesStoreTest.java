package io.feitian.shennong.series;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.shennong.select.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SeriesStoreTest {
  private static final long T0 = 1_700_000_000_000L;

  private static SeriesKey key(String name, String node) {
    return SeriesKey.of(name, Map.of("node", node));
  }

  @Test
  void aSourceAtItsLimitIsRefusedNewSeriesAndCountedButKeepsWritingItsOwn() {
    SeriesStore store = new SeriesStore(new StoreLimits(120_000, 128, 2, 100));
    assertThat(store.append("app", key("a", "n1"), T0, 1)).isEqualTo(Admission.ACCEPTED);
    assertThat(store.append("app", key("a", "n2"), T0, 1)).isEqualTo(Admission.ACCEPTED);
    assertThat(store.append("app", key("a", "n3"), T0, 1)).isEqualTo(Admission.SOURCE_SERIES_LIMIT);
    assertThat(store.append("app", key("a", "n4"), T0, 1)).isEqualTo(Admission.SOURCE_SERIES_LIMIT);
    assertThat(store.append("app", key("a", "n1"), T0 + 1000, 2)).isEqualTo(Admission.ACCEPTED);
    assertThat(store.append("other", key("a", "n3"), T0, 1)).isEqualTo(Admission.ACCEPTED);
    assertThat(store.seriesCount("app")).isEqualTo(2);
    assertThat(store.refusedSeries("app")).isEqualTo(2);
    assertThat(store.refusedSeries("other")).isZero();
    assertThat(store.refusedSeries()).isEqualTo(2);
    assertThat(store.seriesCount()).isEqualTo(3);
  }

  @Test
  void theStoreLimitHoldsForEverySource() {
    SeriesStore store = new SeriesStore(new StoreLimits(120_000, 128, 10, 2));
    store.append("a", key("x", "1"), T0, 1);
    store.append("b", key("x", "2"), T0, 1);
    assertThat(store.append("c", key("x", "3"), T0, 1)).isEqualTo(Admission.STORE_SERIES_LIMIT);
    assertThat(store.append("a", key("x", "4"), T0, 1)).isEqualTo(Admission.STORE_SERIES_LIMIT);
    assertThat(store.refusedSeries()).isEqualTo(2);
    assertThat(store.refusedSeries("a")).isEqualTo(1);
    // A source that owns nothing keeps no entry: its refusals are counted in the total only.
    assertThat(store.refusedSeries("c")).isZero();
  }

  @Test
  void aSampleToAnExistingSeriesIsTakenWhateverItsSourceAndOutOfOrderIsCounted() {
    SeriesStore store = new SeriesStore(new StoreLimits(120_000, 128, 1, 1));
    store.append("a", key("x", "1"), T0, 1);
    assertThat(store.append("b", key("x", "1"), T0 + 1, 2)).isEqualTo(Admission.ACCEPTED);
    assertThat(store.append("a", key("x", "1"), T0, 3)).isEqualTo(Admission.OUT_OF_ORDER);
    assertThat(store.outOfOrderSamples()).isEqualTo(1);
    assertThat(store.window(key("x", "1")).size()).isEqualTo(2);
  }

  @Test
  void silentSeriesAreEvictedAndStopCountingAgainstTheirSource() {
    SeriesStore store = new SeriesStore(new StoreLimits(60_000, 128, 2, 100));
    store.append("app", key("a", "n1"), T0, 1);
    store.append("app", key("a", "n2"), T0 + 30_000, 1);
    assertThat(store.evictSilent(T0 + 60_000)).isZero();
    assertThat(store.evictSilent(T0 + 60_001)).isEqualTo(1);
    assertThat(store.window(key("a", "n1"))).isNull();
    assertThat(store.seriesCount("app")).isEqualTo(1);
    assertThat(store.append("app", key("a", "n3"), T0 + 60_001, 1)).isEqualTo(Admission.ACCEPTED);
    assertThat(store.evictSilent(T0 + 200_000)).isEqualTo(2);
    assertThat(store.seriesCount()).isZero();
    assertThat(store.seriesNames()).isEmpty();
    assertThat(store.seriesCount("app")).isZero();
  }

  @Test
  void findsTheSeriesASelectorMatchesByExactNameOrWildcard() {
    SeriesStore store = new SeriesStore(StoreLimits.DEFAULT);
    store.append("s", SeriesKey.of("cpu.usage", Map.of("node", "n1", "role", "task")), T0, 1);
    store.append("s", SeriesKey.of("cpu.usage", Map.of("node", "n2")), T0, 1);
    store.append("s", SeriesKey.of("cpu.idle", Map.of("node", "n1")), T0, 1);
    store.append("s", SeriesKey.of("mem.rss", Map.of("node", "n1")), T0, 1);
    assertThat(matching(store, "cpu.usage")).containsExactlyInAnyOrder(
        "cpu.usage{node=\"n1\",role=\"task\"}", "cpu.usage{node=\"n2\"}");
    assertThat(matching(store, "cpu.*{node=\"n1\"}")).containsExactlyInAnyOrder(
        "cpu.usage{node=\"n1\",role=\"task\"}", "cpu.idle{node=\"n1\"}");
    assertThat(matching(store, "cpu.usage|mem.rss{role=\"\"}")).containsExactlyInAnyOrder(
        "cpu.usage{node=\"n2\"}", "mem.rss{node=\"n1\"}");
    assertThat(matching(store, "nothing*")).isEmpty();
    assertThat(matching(store, "absent")).isEmpty();
    assertThat(store.seriesNames()).containsExactly("cpu.idle", "cpu.usage", "mem.rss");
  }

  private static List<String> matching(SeriesStore store, String selector) {
    List<String> found = new ArrayList<>();
    store.forEachMatching(Selector.parse(selector), (k, w) -> found.add(k.toString()));
    return found;
  }
}
