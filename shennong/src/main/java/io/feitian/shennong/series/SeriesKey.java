package io.feitian.shennong.series;

import io.feitian.common.grpc.Echo;
import io.feitian.shennong.select.LabelValues;
import io.feitian.shennong.select.Names;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The identity of a series: its name and its labels sorted by name. Labels with empty values are
 * dropped (an empty label is an absent one), so two spellings of the same series are one key.
 * The hash is computed once; equality compares the name, then the label arrays.
 */
public final class SeriesKey implements LabelValues {
  private static final String[] NONE = new String[0];

  private final String name;
  private final String[] labelNames;
  private final String[] labelValues;
  private final int hash;

  private SeriesKey(String name, String[] labelNames, String[] labelValues) {
    this.name = name;
    this.labelNames = labelNames;
    this.labelValues = labelValues;
    this.hash = 31 * (31 * name.hashCode() + Arrays.hashCode(labelNames)) + Arrays.hashCode(labelValues);
  }

  /**
   * A checked key. Errors name the field as a sample's ({@code name ...}, {@code labels ...}) so
   * the caller only prefixes where the sample stood.
   */
  public static SeriesKey of(String name, Map<String, String> labels) {
    String problem = Names.nameProblem(name);
    if (problem != null) {
      throw new IllegalArgumentException("name " + problem);
    }
    if (labels.size() > Names.MAX_LABELS) {
      throw new IllegalArgumentException("labels has " + labels.size() + " labels; at most " + Names.MAX_LABELS
          + " are allowed");
    }
    String[] names = new String[labels.size()];
    int n = 0;
    for (Map.Entry<String, String> e : labels.entrySet()) {
      String labelProblem = Names.labelProblem(e.getKey());
      if (labelProblem != null) {
        throw new IllegalArgumentException("labels name " + labelProblem);
      }
      if (e.getValue().length() > Names.MAX_LABEL_VALUE_CHARS) {
        throw new IllegalArgumentException("labels[" + Echo.quote(e.getKey()) + "] is " + e.getValue().length()
            + " characters; at most " + Names.MAX_LABEL_VALUE_CHARS + " are allowed");
      }
      if (!e.getValue().isEmpty()) {
        names[n++] = e.getKey();
      }
    }
    if (n == 0) {
      return new SeriesKey(name, NONE, NONE);
    }
    names = Arrays.copyOf(names, n);
    Arrays.sort(names);
    String[] values = new String[n];
    for (int i = 0; i < n; i++) {
      values[i] = labels.get(names[i]);
    }
    return new SeriesKey(name, names, values);
  }

  public String name() {
    return name;
  }

  @Override
  public String valueOf(String label) {
    int i = Arrays.binarySearch(labelNames, label);
    return i >= 0 ? labelValues[i] : "";
  }

  /** The labels, sorted by name. */
  public Map<String, String> labels() {
    Map<String, String> labels = new LinkedHashMap<>();
    for (int i = 0; i < labelNames.length; i++) {
      labels.put(labelNames[i], labelValues[i]);
    }
    return labels;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SeriesKey k && hash == k.hash && name.equals(k.name)
        && Arrays.equals(labelNames, k.labelNames) && Arrays.equals(labelValues, k.labelValues);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(name).append('{');
    for (int i = 0; i < labelNames.length; i++) {
      s.append(i == 0 ? "" : ",").append(labelNames[i]).append("=\"").append(labelValues[i]).append('"');
    }
    return s.append('}').toString();
  }
}
