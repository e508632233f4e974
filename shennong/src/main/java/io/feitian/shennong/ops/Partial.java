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
  // QUANTILE only, one of the two: the digest, or (read from a report) what builds it.
  private TDigest digest;
  private ReceivedDigest received;

  /**
   * A digest as a report carried it, not built yet: a master merging many agents' digests adds
   * each one's centroids straight into one accumulator per group, rather than building a digest per
   * report (building one allocates arrays sized for the compression, a cost per report that was
   * 11% of the master's loop at 100 agents).
   */
  public interface ReceivedDigest {
    /** Adds every centroid to {@code into}. */
    void addTo(TDigest into);

    /** The digest exactly as the agent had it (for a group nothing was merged into). */
    TDigest decode();
  }

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

  /** As {@link #of}, with the digest as a report carried it: built only when needed (see {@link ReceivedDigest}). */
  public static Partial received(long count, double sum, double min, double max, double increase, long series,
      ReceivedDigest digest) {
    Partial p = of(count, sum, min, max, increase, series, null);
    p.received = digest;
    return p;
  }

  /** Counts one sample. */
  public void add(double value) {
    count++;
    sum += value;
    min = Math.min(min, value);
    max = Math.max(max, value);
    if (hasDigest()) {
      digest().add(value);
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
    if (hasDigest() != other.hasDigest()) {
      throw new IllegalArgumentException("cannot merge a partial " + (hasDigest() ? "with" : "without")
          + " a digest and one " + (other.hasDigest() ? "with" : "without") + " one");
    }
    count += other.count;
    sum += other.sum;
    min = Math.min(min, other.min);
    max = Math.max(max, other.max);
    increase += other.increase;
    series += other.series;
    if (hasDigest() && other.count > 0) {
      if (digest == null) {
        // This one came in a report and is now the group's accumulator: a fresh digest holding its centroids.
        digest = TDigest.createMergingDigest(COMPRESSION);
        received.addTo(digest);
        received = null;
      }
      if (other.received != null) {
        other.received.addTo(digest);
      } else {
        digest.add(other.digest);
      }
    }
  }

  private boolean hasDigest() {
    return digest != null || received != null;
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
    return Math.max(min, Math.min(max, digest().quantile(q)));
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

  /** The digest (QUANTILE only), built now if it came in a report and was never merged into; null otherwise. */
  public TDigest digest() {
    if (digest == null && received != null) {
      digest = received.decode();
      received = null;
    }
    return digest;
  }

  @Override
  public String toString() {
    return "Partial{count=" + count + ", sum=" + sum + ", min=" + min + ", max=" + max + ", increase=" + increase
        + ", series=" + series + (hasDigest() ? ", digest=" + digest().size() : "") + "}";
  }
}
