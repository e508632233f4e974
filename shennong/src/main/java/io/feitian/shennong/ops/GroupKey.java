package io.feitian.shennong.ops;

import io.feitian.shennong.select.LabelValues;
import java.util.Arrays;
import java.util.List;

/**
 * The values of a query's group-by labels for one series, in the query's order; "" for a label
 * the series lacks, so such series form a group of their own rather than vanish.
 */
public final class GroupKey implements Comparable<GroupKey> {
  /** The one group of a query without group-by labels. */
  public static final GroupKey NONE = new GroupKey(new String[0]);

  private final String[] values;
  private final int hash;

  private GroupKey(String[] values) {
    this.values = values;
    this.hash = Arrays.hashCode(values);
  }

  public static GroupKey of(List<String> values) {
    return values.isEmpty() ? NONE : new GroupKey(values.toArray(String[]::new));
  }

  /** The group of a series with these labels. */
  public static GroupKey of(LabelValues labels, List<String> groupBy) {
    if (groupBy.isEmpty()) {
      return NONE;
    }
    String[] values = new String[groupBy.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = labels.valueOf(groupBy.get(i));
    }
    return new GroupKey(values);
  }

  public List<String> values() {
    return List.of(values);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GroupKey k && hash == k.hash && Arrays.equals(values, k.values);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public int compareTo(GroupKey o) {
    return Arrays.compare(values, o.values);
  }

  @Override
  public String toString() {
    return Arrays.toString(values);
  }
}
