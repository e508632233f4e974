package io.feitian.shennong.analysis;

/** What {@link ClusterTotals} took and refused since it was made (for the service's /metrics and logs). */
public final class Counts {
  /** The outcomes counted: every {@link ClusterTotals.Taken}, then history series refused at the limit. */
  public enum Kind {
    ACCEPTED, NOT_AN_INPUT, LATE, AHEAD, NOT_FINITE, TOO_MANY_INPUTS, SERIES_REFUSED
  }

  private final long[] values;

  Counts(long[] values) {
    this.values = values;
  }

  public long of(Kind kind) {
    return values[kind.ordinal()];
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    for (Kind k : Kind.values()) {
      out.append(out.length() == 0 ? "" : " ").append(k.name().toLowerCase()).append('=').append(values[k.ordinal()]);
    }
    return out.toString();
  }
}
