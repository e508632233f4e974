package io.feitian.shennong.expose;

import io.feitian.proto.shennong.v1.Sample;
import io.feitian.shennong.series.SeriesStore;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a daemon holds, in the Prometheus text exposition format (0.0.4), built and written with
 * Prometheus' own library: the newest sample of every series of a {@link SeriesStore}, plus the
 * daemon's own figures. Pure: no clock, no I/O beyond an in-memory buffer.
 *
 * <ul>
 *   <li>Names become Prometheus names with the library's conversion
 *       ({@link PrometheusNaming#prometheusName}): {@code node.cpu.utilization} is
 *       {@code node_cpu_utilization}, {@code a-b} is {@code a_b}; label names the same, and a
 *       leading {@code __} (reserved by Prometheus) loses an underscore
 *       ({@link PrometheusNaming#sanitizeLabelName}). Label values are escaped by the writer.
 *   <li>One family per Prometheus name, of type {@code untyped}: Shennong does not know whether a
 *       series counts or measures (PromQL's rate() works on untyped series alike).
 *   <li>Names that become the same ({@code a.b}, {@code a_b}, {@code a-b}) share a family; where
 *       two series then have the same labels, the daemon's own sample wins, then the series whose
 *       original name sorts first; the others are left out.
 *   <li>No timestamps: Prometheus stamps a scrape with its own time, which keeps its staleness
 *       handling working when a series stops. The value is the series' newest, as of its last
 *       write (the store drops a series silent for longer than its retention).
 * </ul>
 *
 * Cost: O(series log series) and an object per series. {@link #snapshot} reads the store and
 * must run where the store may be read (the daemon's loop); {@link #write} can run anywhere.
 */
public final class PrometheusExposition {
  /** {@code text/plain; version=0.0.4; charset=utf-8}. */
  public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;
  private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

  /** One value of one series, before conversion. */
  private record Point(String name, Map<String, String> labels, double value) {}

  private PrometheusExposition() {}

  /** {@link #snapshot} then {@link #write}, for a caller that holds the store's lock anyway. */
  public static byte[] render(SeriesStore store, List<Sample> own) {
    return write(snapshot(store, own));
  }

  /**
   * The newest sample of every series in {@code store}, after the daemon's own samples
   * {@code own} (their timestamps are ignored), as one untyped family per Prometheus name.
   */
  public static MetricSnapshots snapshot(SeriesStore store, List<Sample> own) {
    List<Point> held = new ArrayList<>(store.seriesCount());
    store.forEach((key, window) -> {
      if (window.size() > 0) {
        held.add(new Point(key.name(), key.labels(), window.valueAt(window.size() - 1)));
      }
    });
    // Sorted, so that which of two colliding series is shown does not depend on hash order.
    held.sort(Comparator.comparing(Point::name).thenComparing(p -> p.labels().toString()));
    return families(own, held);
  }

  /** A daemon's own figures as samples, each with one label naming the daemon ({@code node}, {@code master}). */
  public static List<Sample> figures(Map<String, Double> values, String label, String labelValue) {
    List<Sample> samples = new ArrayList<>(values.size());
    values.forEach((name, value) -> samples.add(Sample.newBuilder().setName(name).putLabels(label, labelValue)
        .setValue(value).build()));
    return samples;
  }

  /** A daemon's own samples alone (a master holds no store). */
  public static MetricSnapshots snapshot(List<Sample> own) {
    return families(own, List.of());
  }

  private static MetricSnapshots families(List<Sample> own, List<Point> held) {
    List<Point> points = new ArrayList<>(own.size() + held.size());
    own.forEach(s -> points.add(new Point(s.getName(), new TreeMap<>(s.getLabelsMap()), s.getValue())));
    points.addAll(held);

    Map<String, List<UnknownDataPointSnapshot>> families = new TreeMap<>();
    Map<String, Set<Labels>> seen = new TreeMap<>();
    for (Point p : points) {
      String family = PrometheusNaming.prometheusName(p.name());
      Labels labels = labels(p.labels());
      if (seen.computeIfAbsent(family, f -> new HashSet<>()).add(labels)) {
        families.computeIfAbsent(family, f -> new ArrayList<>())
            .add(UnknownDataPointSnapshot.builder().labels(labels).value(p.value()).build());
      }
    }
    List<MetricSnapshot> snapshots = new ArrayList<>(families.size());
    families.forEach((name, data) -> {
      UnknownSnapshot.Builder b = UnknownSnapshot.builder().name(name);
      data.stream().sorted(Comparator.comparing(UnknownDataPointSnapshot::getLabels)).forEach(b::dataPoint);
      snapshots.add(b.build());
    });
    return new MetricSnapshots(snapshots);
  }

  /** Labels with Prometheus names; where two names become one, the first in name order stays. */
  private static Labels labels(Map<String, String> labels) {
    Map<String, String> converted = new TreeMap<>();
    new TreeMap<>(labels).forEach((name, value) -> {
      if (!value.isEmpty()) {
        converted.putIfAbsent(PrometheusNaming.prometheusName(PrometheusNaming.sanitizeLabelName(name)), value);
      }
    });
    return Labels.of(converted.keySet().toArray(String[]::new), converted.values().toArray(String[]::new));
  }

  /** The snapshots in the text format. */
  public static byte[] write(MetricSnapshots snapshots) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      WRITER.write(out, snapshots, EscapingScheme.UNDERSCORE_ESCAPING);
    } catch (IOException e) {
      throw new UncheckedIOException("a ByteArrayOutputStream does not fail", e);
    }
    return out.toByteArray();
  }
}
