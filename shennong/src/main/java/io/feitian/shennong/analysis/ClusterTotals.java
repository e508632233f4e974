package io.feitian.shennong.analysis;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The analysis-service's core: per-node samples in, cluster totals by every {@link Grouping} out, kept as history
 * at two resolutions (see package-info for the rules). Not thread-safe: the service's loop drives it, with the
 * time passed in. Call {@link #advance} at least once per fine step and before writing samples of a new step.
 */
public final class ClusterTotals {
  /** Input series (over all nodes) held while steps are formed; more are refused and counted. */
  public static final int MAX_INPUTS = 200_000;

  private static final Map<String, List<Total>> BY_INPUT = byInput();

  private final AnalysisSettings settings;
  private final String cluster;
  private final Map<String, NodeInfo> nodes = new HashMap<>();
  private final Map<String, Map<InputKey, InputSeries>> inputs = new HashMap<>();
  private final Map<Total, Map<Grouping, Map<String, TotalHistory>>> history = new EnumMap<>(Total.class);
  private long nextStep;
  private int inputCount;
  private int seriesCount;
  private final long[] counts = new long[Counts.Kind.values().length];

  /** A core with no history; the first step formed is the one holding {@code nowMs}. */
  public ClusterTotals(AnalysisSettings settings, String cluster, long nowMs) {
    if (cluster == null || cluster.isEmpty()) {
      throw new IllegalArgumentException("cluster must not be empty");
    }
    this.settings = settings;
    this.cluster = cluster;
    this.nextStep = Math.floorDiv(nowMs, settings.fineStepMs());
  }

  public AnalysisSettings settings() {
    return settings;
  }

  public String cluster() {
    return cluster;
  }

  /** Sets (or replaces) what is known of a node; it applies from the next step formed. */
  public void putNode(NodeInfo node) {
    nodes.put(node.node(), node);
  }

  public void removeNode(String node) {
    nodes.remove(node);
  }

  /** The outcome of one sample. */
  public enum Taken {
    /** Kept for its step. */
    ACCEPTED,
    /** No total reads series of this name (or labels, e.g. {@code job.instances} of another state): ignored. */
    NOT_AN_INPUT,
    /** Its step was already formed: refused. */
    LATE,
    /** Stamped beyond the next step (a clock ahead of this service's, or {@code advance} not called): refused. */
    AHEAD,
    /** Not a finite number: refused. */
    NOT_FINITE,
    /** It would be input series {@link #MAX_INPUTS} + 1: refused. */
    TOO_MANY_INPUTS
  }

  /**
   * Takes one sample as Shennong delivers it: series name, labels ({@code node} names the node; without it the
   * sample counts under node ""), timestamp and value.
   */
  public Taken write(String name, Map<String, String> labels, long timestampMs, double value) {
    Taken taken = take(name, labels, timestampMs, value);
    counts[Counts.Kind.valueOf(taken.name()).ordinal()]++;
    return taken;
  }

  private Taken take(String name, Map<String, String> labels, long timestampMs, double value) {
    List<Total> totals = BY_INPUT.get(name);
    if (totals == null || totals.stream().noneMatch(t -> t.takes(labels))) {
      return Taken.NOT_AN_INPUT;
    }
    if (!Double.isFinite(value)) {
      return Taken.NOT_FINITE;
    }
    long step = Math.floorDiv(timestampMs, settings.fineStepMs());
    if (step < nextStep) {
      return Taken.LATE;
    }
    if (step > nextStep + 1) {
      return Taken.AHEAD;
    }
    String node = labels.getOrDefault("node", "");
    Map<String, String> own = new TreeMap<>();
    labels.forEach((k, v) -> {
      if (!k.equals("node") && !v.isEmpty()) {
        own.put(k, v);
      }
    });
    InputKey key = new InputKey(name, own);
    Map<InputKey, InputSeries> ofNode = inputs.computeIfAbsent(node, n -> new HashMap<>());
    InputSeries series = ofNode.get(key);
    if (series == null) {
      if (inputCount >= MAX_INPUTS) {
        return Taken.TOO_MANY_INPUTS;
      }
      series = new InputSeries(name, own);
      ofNode.put(key, series);
      inputCount++;
    }
    series.add(step, timestampMs, value);
    return Taken.ACCEPTED;
  }

  /** Forms every fine step that ended at least {@code grace} before {@code nowMs}. */
  public void advance(long nowMs) {
    long fine = settings.fineStepMs();
    while ((nextStep + 1) * fine + settings.graceMs() <= nowMs) {
      form(nextStep);
      nextStep++;
      if (inputs.isEmpty()) {
        // Nothing is open or fresh: the steps up to now would all be empty.
        nextStep = Math.max(nextStep, Math.floorDiv(nowMs - settings.graceMs(), fine));
      }
    }
  }

  /** The first fine step not formed yet. */
  public long nextStep() {
    return nextStep;
  }

  private void form(long step) {
    long end = (step + 1) * settings.fineStepMs();
    Map<SeriesId, double[]> sums = new HashMap<>();
    for (Iterator<Map.Entry<String, Map<InputKey, InputSeries>>> it = inputs.entrySet().iterator(); it.hasNext();) {
      Map.Entry<String, Map<InputKey, InputSeries>> e = it.next();
      String node = e.getKey();
      NodeInfo info = nodes.get(node);
      Map<InputKey, Double> values = new HashMap<>();
      for (Map.Entry<InputKey, InputSeries> in : e.getValue().entrySet()) {
        double v = in.getValue().close(step, end, settings.stalenessMs());
        if (!Double.isNaN(v)) {
          values.put(in.getKey(), v);
        }
      }
      for (Map.Entry<InputKey, Double> v : values.entrySet()) {
        InputKey key = v.getKey();
        for (Total total : BY_INPUT.get(key.name())) {
          if (total.input() == null || !total.input().equals(key.name()) || !total.takes(key.labels())) {
            continue;
          }
          double x = v.getValue();
          if (total.factor() != null) {
            Double f = values.get(new InputKey(total.factor(), Map.of()));
            if (f == null) {
              continue;
            }
            x *= f;
          }
          addToGroups(sums, total, node, info, key.labels(), x);
        }
      }
      if (!values.isEmpty()) {
        addToGroups(sums, Total.NODES, node, info, Map.of(), 1);
      }
      int before = e.getValue().size();
      e.getValue().values().removeIf(s -> s.forgettable(end, settings.stalenessMs()));
      inputCount -= before - e.getValue().size();
      if (e.getValue().isEmpty()) {
        it.remove();
      }
    }
    for (Map.Entry<SeriesId, double[]> s : sums.entrySet()) {
      TotalHistory h = historyOf(s.getKey(), true);
      if (h != null) {
        h.add(step, s.getValue()[0]);
      }
    }
    long coarseStep = Math.floorDiv(step, settings.coarseStepMs() / settings.fineStepMs());
    if (Math.floorMod(step, settings.coarseStepMs() / settings.fineStepMs()) == 0) {
      forgetExpired(coarseStep);
    }
  }

  private void addToGroups(Map<SeriesId, double[]> sums, Total total, String node, NodeInfo info,
      Map<String, String> labels, double value) {
    for (Grouping g : Grouping.values()) {
      String group = switch (g) {
        case CLUSTER -> cluster;
        case RACK -> info == null ? "" : info.rack();
        case ROLE -> info == null ? "" : info.role();
        case NODE -> node;
        case APP, JOB, SERVICE -> labels.get(g.label());
      };
      if (group != null) {
        sums.computeIfAbsent(new SeriesId(total, g, group), k -> new double[1])[0] += value;
      }
    }
  }

  /** The history of a series; with {@code create}, made when new unless that would exceed the limit (null). */
  TotalHistory historyOf(SeriesId id, boolean create) {
    Map<String, TotalHistory> groups = history.computeIfAbsent(id.total(), t -> new EnumMap<>(Grouping.class))
        .computeIfAbsent(id.grouping(), g -> new LinkedHashMap<>());
    TotalHistory h = groups.get(id.group());
    if (h == null && create) {
      if (seriesCount >= settings.maxSeries()) {
        counts[Counts.Kind.SERIES_REFUSED.ordinal()]++;
        return null;
      }
      h = new TotalHistory(settings);
      groups.put(id.group(), h);
      seriesCount++;
    }
    return h;
  }

  private void forgetExpired(long coarseStep) {
    for (Map<Grouping, Map<String, TotalHistory>> byGrouping : history.values()) {
      for (Map<String, TotalHistory> groups : byGrouping.values()) {
        int before = groups.size();
        groups.values().removeIf(h -> h.expiredAt(coarseStep));
        seriesCount -= before - groups.size();
      }
    }
  }

  /** The groups of a total and grouping with their history, in the order they appeared. */
  Map<String, TotalHistory> groups(Total total, Grouping grouping) {
    return history.getOrDefault(total, Map.of()).getOrDefault(grouping, Map.of());
  }

  /** Every history series, for the snapshot. */
  List<Map.Entry<SeriesId, TotalHistory>> allSeries() {
    List<Map.Entry<SeriesId, TotalHistory>> all = new ArrayList<>();
    history.forEach((total, byGrouping) -> byGrouping.forEach((grouping, groups) -> groups.forEach(
        (group, h) -> all.add(Map.entry(new SeriesId(total, grouping, group), h)))));
    return all;
  }

  /** History series held. */
  public int seriesCount() {
    return seriesCount;
  }

  /** Input series held while steps are formed. */
  public int inputCount() {
    return inputCount;
  }

  /** Samples by outcome, and history series refused, since this core was made. */
  public Counts counts() {
    return new Counts(counts.clone());
  }

  /** Restarts stepping at {@code step} (a restored snapshot's), if that is later than where this core is. */
  void resumeAt(long step) {
    nextStep = Math.max(nextStep, step);
  }

  /** Answers a query at {@code nowMs}; bad input is an IllegalArgumentException naming the field. */
  public QueryResult query(TotalsQuery query, long nowMs) {
    return QueryEngine.run(this, query, nowMs);
  }

  /** The whole history as bytes (see {@link TotalsSnapshot} for the format). */
  public byte[] snapshot(long nowMs) {
    return copy(nowMs).encode();
  }

  /** The whole history copied, to be encoded later on another thread ({@link HistoryCopy#encode}). */
  public HistoryCopy copy(long nowMs) {
    return TotalsSnapshot.copy(this, nowMs);
  }

  /**
   * A core holding the history of a snapshot, stepping on from where the snapshot's stopped (or from now if that
   * is later). A snapshot that is short, corrupted, of another version or of other resolutions is refused with an
   * IllegalArgumentException saying which; nothing is half-restored.
   */
  public static ClusterTotals restore(AnalysisSettings settings, String cluster, byte[] snapshot, long nowMs) {
    return TotalsSnapshot.decode(settings, cluster, snapshot, nowMs);
  }

  record InputKey(String name, Map<String, String> labels) {}

  /** One history series: a total for one group of one grouping. */
  record SeriesId(Total total, Grouping grouping, String group) {}

  private static Map<String, List<Total>> byInput() {
    Map<String, List<Total>> m = new HashMap<>();
    for (Total t : Total.values()) {
      if (t.input() != null) {
        m.computeIfAbsent(t.input(), k -> new ArrayList<>()).add(t);
      }
      if (t.factor() != null) {
        m.computeIfAbsent(t.factor(), k -> new ArrayList<>()).add(t);
      }
    }
    return m;
  }
}
