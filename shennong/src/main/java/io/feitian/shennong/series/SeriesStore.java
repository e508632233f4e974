package io.feitian.shennong.series;

import io.feitian.shennong.select.Selector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Every series of one agent, indexed by key and by name, with the limits and counters of
 * package-info. Not thread-safe: the agent's loop owns it.
 */
public final class SeriesStore {
  private final StoreLimits limits;
  private final Map<SeriesKey, Series> byKey = new HashMap<>();
  private final Map<String, Map<SeriesKey, Series>> byName = new HashMap<>();
  /** Sources that own series now; an entry goes with its last series (its refusal count with it). */
  private final Map<String, Source> sources = new HashMap<>();
  private long outOfOrder;
  private long refusedSeries;

  private record Series(SeriesKey key, SeriesWindow window, Source owner) {}

  private static final class Source {
    final String name;
    int series;
    long refused;

    Source(String name) {
      this.name = name;
    }
  }

  public SeriesStore(StoreLimits limits) {
    this.limits = limits;
  }

  public StoreLimits limits() {
    return limits;
  }

  /** Adds one sample from {@code source}, creating its series if the limits allow. */
  public Admission append(String source, SeriesKey key, long timestampMs, double value) {
    return appender(source, key).append(timestampMs, value);
  }

  /**
   * Appends samples of one series from {@code source}: the series is looked up once, here, and
   * created (if the limits allow) with its first accepted sample, so an appender that appends
   * nothing leaves the store as it was. Valid until the store next changes other than through it.
   */
  public Appender appender(String source, SeriesKey key) {
    return new Appender(source, key, byKey.get(key));
  }

  /** Samples of one series; each append is admitted exactly as {@link #append} would admit it. */
  public final class Appender {
    private final String source;
    private final SeriesKey key;
    private Series series;

    private Appender(String source, SeriesKey key, Series series) {
      this.source = source;
      this.key = key;
      this.series = series;
    }

    public Admission append(long timestampMs, double value) {
      if (series == null) {
        Admission refusal = create();
        if (refusal != null) {
          return refusal;
        }
      }
      if (!series.window.append(timestampMs, value)) {
        outOfOrder++;
        return Admission.OUT_OF_ORDER;
      }
      return Admission.ACCEPTED;
    }

    /** Creates the series, or counts and returns the limit that refuses it. */
    private Admission create() {
      Source owner = sources.get(source);
      Admission refusal = owner != null && owner.series >= limits.seriesPerSource() ? Admission.SOURCE_SERIES_LIMIT
          : byKey.size() >= limits.maxSeries() ? Admission.STORE_SERIES_LIMIT : null;
      if (refusal != null) {
        refusedSeries++;
        if (owner != null) {
          owner.refused++;
        }
        return refusal;
      }
      series = SeriesStore.this.create(key, owner != null ? owner : newSource(source));
      return null;
    }
  }

  private Source newSource(String name) {
    Source s = new Source(name);
    sources.put(name, s);
    return s;
  }

  private Series create(SeriesKey key, Source owner) {
    Series s = new Series(key, new SeriesWindow(limits.retentionMs(), limits.samplesPerSeries()), owner);
    byKey.put(key, s);
    byName.computeIfAbsent(key.name(), n -> new HashMap<>()).put(key, s);
    owner.series++;
    return s;
  }

  /** Drops every series whose newest sample is older than the retention before {@code nowMs}; returns how many. */
  public int evictSilent(long nowMs) {
    long cutoff = nowMs - limits.retentionMs();
    int evicted = 0;
    for (Iterator<Series> it = byKey.values().iterator(); it.hasNext();) {
      Series s = it.next();
      if (s.window.newest() < cutoff) {
        it.remove();
        Map<SeriesKey, Series> named = byName.get(s.key.name());
        named.remove(s.key);
        if (named.isEmpty()) {
          byName.remove(s.key.name());
        }
        if (--s.owner.series == 0) {
          sources.remove(s.owner.name);
        }
        evicted++;
      }
    }
    return evicted;
  }

  /** Calls the visitor for every series the selector matches. */
  public void forEachMatching(Selector selector, SeriesVisitor visitor) {
    List<String> exact = selector.exactNames();
    if (exact != null) {
      for (String name : exact) {
        visitMatching(byName.getOrDefault(name, Map.of()), selector, visitor);
      }
      return;
    }
    for (Map.Entry<String, Map<SeriesKey, Series>> e : byName.entrySet()) {
      if (selector.matchesName(e.getKey())) {
        visitMatching(e.getValue(), selector, visitor);
      }
    }
  }

  private static void visitMatching(Map<SeriesKey, Series> named, Selector selector, SeriesVisitor visitor) {
    for (Series s : named.values()) {
      if (selector.matchesLabels(s.key)) {
        visitor.visit(s.key, s.window);
      }
    }
  }

  /** Calls the visitor for every series held, in no particular order (e.g. for /metrics). */
  public void forEach(SeriesVisitor visitor) {
    for (Series s : byKey.values()) {
      visitor.visit(s.key, s.window);
    }
  }

  /** The window of one series, or null. */
  public SeriesWindow window(SeriesKey key) {
    Series s = byKey.get(key);
    return s == null ? null : s.window;
  }

  /** The distinct series names held, sorted (what an agent tells the master). */
  public List<String> seriesNames() {
    List<String> names = new ArrayList<>(byName.keySet());
    Collections.sort(names);
    return names;
  }

  public int seriesCount() {
    return byKey.size();
  }

  /** Series the source owns now. */
  public int seriesCount(String source) {
    Source s = sources.get(source);
    return s == null ? 0 : s.series;
  }

  /** Series refused to the source while it owned series (per-source or store limit). */
  public long refusedSeries(String source) {
    Source s = sources.get(source);
    return s == null ? 0 : s.refused;
  }

  /** Every series refused, from any source, since the store began. */
  public long refusedSeries() {
    return refusedSeries;
  }

  /** Samples refused as not newer than their series' newest, since the store began. */
  public long outOfOrderSamples() {
    return outOfOrder;
  }
}
