package io.feitian.shennong.ops;

import com.tdunning.math.stats.TDigest;
import io.feitian.proto.shennong.v1.Operation;

/**
 * What one agent (or the master, after merging) knows of one group in one window, in a form
 * that merges exactly: count, sum, increase and series add up, min and max take the extreme, and
 * the t-digest (kept only for QUANTILE) merges its centroids. So a cluster-wide average is
 * sum / count over all agents, never an average of averages, and only the quantiles carry a
 * sketch's error. Mutable: an accumulator owned by one evaluation or one merge.
 */
public final class Partial {
  /**
   * The t-digest compression. Measured with t-digest 3.3 on uniform integer samples: one digest
   * errs by up to about 0.5% in rank at 100 and 0.3% at 200, but a digest merged from several
   * errs by up to 1.5% at 100 and 0.9% at 200. The master always merges, and encoding compresses
   * a digest to this compression, so 200: about 125 centroids for a million samples, 1 KiB on the
   * wire per group. MergePropertyTest states the tolerance its checks use, and why.
   */
  public static final double COMPRESSION = 200;

  private long count;
  private double sum;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;
  private double increase;
  private long series;
  private final TDigest digest;

  private Partial(TDigest digest) {
    this.digest = digest;
  }

  /** An empty partial for the operation: with a digest only for QUANTILE. */
  public static Partial empty(Operation operation) {
    return new Partial(operation == Operation.OPERATION_QUANTILE ? TDigest.createMergingDigest(COMPRESSION) : null);
  }

  /** A partial as an agent sent it; {@code digest} is null unless the operation is QUANTILE. */
  public static Partial of(long count, double sum, double min, double max, double increase, long series,
      TDigest digest) {
    Partial p = new Partial(digest);
    p.count = count;
    p.sum = sum;
    p.min = count == 0 ? Double.POSITIVE_INFINITY : min;
    p.max = count == 0 ? Double.NEGATIVE_INFINITY : max;
    p.increase = increase;
    p.series = series;
    return p;
  }

  /** Counts one sample. */
  public void add(double value) {
    count++;
    sum += value;
    min = Math.min(min, value);
    max = Math.max(max, value);
    if (digest != null) {
      digest.add(value);
    }
  }

  /** Adds one series' counter increase in the window (RATE). */
  public void addIncrease(double seriesIncrease) {
    increase += seriesIncrease;
  }

  /** Counts one more series with samples in the window. */
  public void addSeries() {
    series++;
  }

  /** Adds everything {@code other} knows; both must be for the same operation. */
  public void merge(Partial other) {
    if ((digest == null) != (other.digest == null)) {
      throw new IllegalArgumentException("cannot merge a partial " + (digest == null ? "without" : "with")
          + " a digest and one " + (other.digest == null ? "without" : "with") + " one");
    }
    count += other.count;
    sum += other.sum;
    min = Math.min(min, other.min);
    max = Math.max(max, other.max);
    increase += other.increase;
    series += other.series;
    if (digest != null && other.count > 0) {
      digest.add(other.digest);
    }
  }

  /**
   * The estimated q-quantile of the samples: exact at 0 and 1 (min and max), else the digest's
   * estimate kept within [min, max]. NaN when there are no samples.
   */
  public double quantile(double q) {
    if (count == 0) {
      return Double.NaN;
    }
    if (q <= 0) {
      return min;
    }
    if (q >= 1) {
      return max;
    }
    return Math.max(min, Math.min(max, digest.quantile(q)));
  }

  public long count() {
    return count;
  }

  public double sum() {
    return sum;
  }

  public double min() {
    return min;
  }

  public double max() {
    return max;
  }

  public double increase() {
    return increase;
  }

  public long series() {
    return series;
  }

  /** The digest (QUANTILE only), for the wire; null otherwise. */
  public TDigest digest() {
    return digest;
  }

  @Override
  public String toString() {
    return "Partial{count=" + count + ", sum=" + sum + ", min=" + min + ", max=" + max + ", increase=" + increase
        + ", series=" + series + (digest == null ? "" : ", digest=" + digest.size()) + "}";
  }
}
