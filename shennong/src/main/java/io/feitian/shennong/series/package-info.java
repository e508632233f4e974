/**
 * What an agent holds: every series written to it, each with a short window of its newest
 * samples. A plain object driven by method calls, with time passed in; the agent daemon feeds it
 * writes and evicts silent series on its loop.
 *
 * <h2>Model</h2>
 *
 * <ul>
 *   <li>A <b>series</b> is a name and a set of labels ({@link io.feitian.shennong.series.SeriesKey}),
 *       on the agent it was written to. It belongs to the <b>source</b> that created it.
 *   <li>A series keeps the samples of the last <b>retention</b> (default 2 minutes) before its
 *       newest one, at most {@code samplesPerSeries} of them (default 128: 2 minutes at 1 s with
 *       room to spare); a series written faster keeps its newest samples and marks the older time
 *       as no longer complete ({@link io.feitian.shennong.series.SeriesWindow#completeAfter()}).
 *   <li><b>Out of order</b>: a sample not newer than its series' newest is refused and counted,
 *       not inserted. Each series has one writer that sends in order, so a late sample is a
 *       retry or a clock step back; refusing it keeps appends O(1) and means a window that was
 *       already reported never changes under the subscriber. A retried batch is never counted
 *       twice.
 *   <li><b>Limits</b>: a source may create at most {@code seriesPerSource} series and the agent
 *       holds at most {@code maxSeries}; a sample that would create one more is refused, and the
 *       refusal counted per source and in total.
 *   <li><b>Eviction</b>: a series silent for longer than the retention is dropped whole, and stops
 *       counting against its source.
 * </ul>
 *
 * <h2>Cost</h2>
 *
 * An append is a hash lookup of the series and an array store (amortized O(1); a series' arrays
 * grow by doubling up to their limit); an {@link io.feitian.shennong.series.SeriesStore.Appender}
 * does the lookup once for all the points of one series, which is what makes the columnar write
 * form cheap. A series at the default settings holds an int[128] of timestamp
 * offsets and a double[128] of values: 1,536 bytes of data, under 2 KiB with the array headers
 * ({@link io.feitian.shennong.series.SeriesWindow#retainedBytes()}). Finding the series of a
 * selector with exact names costs a lookup per name plus a check per series of that name;
 * wildcards scan the distinct names. Eviction scans every series.
 */
package io.feitian.shennong.series;
