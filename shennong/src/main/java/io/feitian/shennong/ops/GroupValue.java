package io.feitian.shennong.ops;

import java.util.List;

/**
 * The final result of one group in one window.
 *
 * @param value SUM, AVG, MIN, MAX, COUNT; RATE per second; NaN for QUANTILE
 * @param quantiles QUANTILE: one estimate per requested quantile, in the query's order; else empty
 * @param samples samples that went into the result
 * @param series series that went into the result
 */
public record GroupValue(double value, List<Double> quantiles, long samples, long series) {}
