package io.feitian.client.shennong;

import io.feitian.proto.shennong.v1.Sample;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * The meters of one writer by name and labels: asking twice for the same one returns the same
 * instance, from any thread, without a lock on the way of an update. Meters are never removed
 * (as in Prometheus clients): a label whose values never stop growing (a request id) grows the
 * registry, and the agent refuses series beyond its per-source limit.
 */
final class Registry {
  private final Map<String, String> constantLabels;
  private final ConcurrentHashMap<Key, Meter> meters = new ConcurrentHashMap<>();

  /** A meter's identity: its name and the labels given for it (the constant ones are the same for all). */
  private record Key(String name, Map<String, String> labels) {}

  Registry(Map<String, String> constantLabels) {
    this.constantLabels = Map.copyOf(constantLabels);
  }

  /**
   * The meter of {@code name} and {@code labels}, made by {@code create} (with the constant labels
   * merged in) the first time.
   *
   * @throws IllegalArgumentException if the name is empty, the labels are not name-value pairs, or
   *     the same name and labels are already a meter of another kind
   */
  <M extends Meter> M register(Class<M> kind, String name, String[] labels,
      BiFunction<String, Map<String, String>, M> create) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a meter needs a name");
    }
    Key key = new Key(name, pairs(name, labels));
    Meter m = meters.get(key);
    if (m == null) {
      m = meters.computeIfAbsent(key, k -> create.apply(k.name, merged(k.labels)));
    }
    if (!kind.isInstance(m)) {
      throw new IllegalArgumentException(name + key.labels + " is already a " + describe(m.getClass()) + ", not a "
          + describe(kind));
    }
    return kind.cast(m);
  }

  private static String describe(Class<? extends Meter> kind) {
    return kind == FunctionGauge.class ? "gauge read from a supplier" : kind.getSimpleName().toLowerCase();
  }

  /** Labels given as name, value, name, value: a sorted map. */
  static Map<String, String> pairs(String meter, String[] labels) {
    if (labels.length == 0) {
      return Map.of();
    }
    if (labels.length % 2 != 0) {
      throw new IllegalArgumentException("labels of " + meter + " must be name-value pairs, got " + labels.length
          + " strings");
    }
    TreeMap<String, String> map = new TreeMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      if (labels[i] == null || labels[i + 1] == null) {
        throw new IllegalArgumentException("labels of " + meter + " must not be null (pair " + i / 2 + ")");
      }
      map.put(labels[i], labels[i + 1]);
    }
    return Collections.unmodifiableMap(map);
  }

  /** The constant labels with the meter's own; the meter's win where both name one. */
  private Map<String, String> merged(Map<String, String> own) {
    if (own.isEmpty()) {
      return constantLabels;
    }
    TreeMap<String, String> all = new TreeMap<>(constantLabels);
    all.putAll(own);
    return all;
  }

  /** Every meter's samples at {@code timestampMs} (flush thread). */
  void collect(long timestampMs, List<Sample> out) {
    for (Meter m : meters.values()) {
      m.collect(timestampMs, out);
    }
  }

  /** The samples of the last collect did not reach the agent (flush thread). */
  void unsent() {
    for (Meter m : meters.values()) {
      m.unsent();
    }
  }
}
