package io.feitian.service.partition;

/**
 * A range of keys, {@code [start, end)} in String order; an empty start is
 * the beginning of the key space and an empty end its end.
 */
public record KeyRange(String start, String end) {
  public static final KeyRange ALL = new KeyRange("", "");

  public KeyRange {
    if (start == null || end == null) {
      throw new IllegalArgumentException("a key range needs a start and an end (empty for open)");
    }
    if (!end.isEmpty() && start.compareTo(end) >= 0) {
      throw new IllegalArgumentException("key range start '" + start + "' is not below its end '" + end + "'");
    }
  }

  public boolean contains(String key) {
    return key.compareTo(start) >= 0 && (end.isEmpty() || key.compareTo(end) < 0);
  }

  /** Whether a split at {@code key} leaves two non-empty ranges. */
  public boolean canSplitAt(String key) {
    return key.compareTo(start) > 0 && (end.isEmpty() || key.compareTo(end) < 0);
  }

  public KeyRange lower(String at) {
    return new KeyRange(start, at);
  }

  public KeyRange upper(String at) {
    return new KeyRange(at, end);
  }

  @Override
  public String toString() {
    return "[" + (start.isEmpty() ? "-inf" : start) + ", " + (end.isEmpty() ? "+inf" : end) + ")";
  }
}
