package io.feitian.shennong.ops;

import io.feitian.common.app.FieldChecks;
import io.feitian.proto.shennong.v1.Operation;
import io.feitian.shennong.select.Names;
import io.feitian.shennong.select.Selector;
import java.util.HashSet;
import java.util.List;

/**
 * A checked metrics subscription: what to select, which operation, grouped by which labels, over
 * which window, how often. Errors name the request's field as the wire spells it
 * ({@code window_ms must be between 1000 and 3600000, got 500}).
 *
 * <p>Windows are (end - window, end] and end at multiples of the step since the epoch, so every
 * agent computes the same windows from its own clock without talking to the others. RAW has no
 * window, step, grouping or quantiles: its fields must be zero or empty.
 */
public record WindowQuery(Selector selector, Operation operation, List<String> groupBy, long windowMs,
                          long stepMs, List<Double> quantiles) {
  public static final long MIN_WINDOW_MS = 1_000;
  public static final long MAX_WINDOW_MS = 3_600_000;
  public static final long MIN_STEP_MS = 100;
  public static final int MAX_GROUP_BY = 8;
  public static final int MAX_QUANTILES = 16;
  /** Groups of one window: what a subscriber, the master and every agent hold per window is bounded by it. */
  public static final int MAX_GROUPS = 10_000;

  private static final FieldChecks CHECKS = new FieldChecks("");

  public WindowQuery {
    groupBy = List.copyOf(groupBy);
    quantiles = List.copyOf(quantiles);
    if (operation == null || operation == Operation.OPERATION_UNSPECIFIED || operation == Operation.UNRECOGNIZED) {
      throw CHECKS.bad("operation", "must be one of RAW, SUM, AVG, MIN, MAX, COUNT, RATE, QUANTILE, got " + operation);
    }
    if (operation == Operation.OPERATION_RAW) {
      checkRaw(windowMs, stepMs, groupBy, quantiles);
    } else {
      CHECKS.between("window_ms", windowMs, MIN_WINDOW_MS, MAX_WINDOW_MS);
      CHECKS.between("step_ms", stepMs, MIN_STEP_MS, windowMs);
      checkGroupBy(groupBy);
      checkQuantiles(operation, quantiles);
    }
  }

  /** The checks of a RAW request (metrics or events): no window, step, grouping or quantiles. */
  public static void checkRaw(long windowMs, long stepMs, List<String> groupBy, List<Double> quantiles) {
    if (windowMs != 0 || stepMs != 0) {
      throw CHECKS.bad(windowMs != 0 ? "window_ms" : "step_ms", "must be 0 for RAW, which sends samples as they come");
    }
    if (!groupBy.isEmpty() || !quantiles.isEmpty()) {
      throw CHECKS.bad(groupBy.isEmpty() ? "quantiles" : "group_by", "must be empty for RAW");
    }
  }

  private static void checkGroupBy(List<String> groupBy) {
    if (groupBy.size() > MAX_GROUP_BY) {
      throw CHECKS.bad("group_by", "has " + groupBy.size() + " labels; at most " + MAX_GROUP_BY + " are allowed");
    }
    HashSet<String> seen = new HashSet<>();
    for (int i = 0; i < groupBy.size(); i++) {
      String problem = Names.labelProblem(groupBy.get(i));
      if (problem != null) {
        throw CHECKS.bad("group_by[" + i + "]", problem);
      }
      if (!seen.add(groupBy.get(i))) {
        throw CHECKS.bad("group_by[" + i + "]", "repeats " + groupBy.get(i));
      }
    }
  }

  private static void checkQuantiles(Operation operation, List<Double> quantiles) {
    if (operation != Operation.OPERATION_QUANTILE) {
      if (!quantiles.isEmpty()) {
        throw CHECKS.bad("quantiles", "are only for QUANTILE");
      }
      return;
    }
    if (quantiles.isEmpty() || quantiles.size() > MAX_QUANTILES) {
      throw CHECKS.bad("quantiles", "must hold 1 to " + MAX_QUANTILES + " values for QUANTILE, got " + quantiles.size());
    }
    for (int i = 0; i < quantiles.size(); i++) {
      double q = quantiles.get(i);
      if (!(q >= 0 && q <= 1)) {
        throw CHECKS.bad("quantiles[" + i + "]", "must be between 0 and 1, got " + q);
      }
    }
  }

  public boolean isRaw() {
    return operation == Operation.OPERATION_RAW;
  }

  /** The end of the last window that ended at or before {@code timeMs}. */
  public long windowEndAtOrBefore(long timeMs) {
    return timeMs - Math.floorMod(timeMs, stepMs);
  }

  /** The exclusive start of the window ending at {@code endMs}. */
  public long windowStart(long endMs) {
    return endMs - windowMs;
  }
}
