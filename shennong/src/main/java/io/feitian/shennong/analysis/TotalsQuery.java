package io.feitian.shennong.analysis;

/**
 * A range query over the totals' history.
 *
 * @param selector which totals, by name (patterns allowed), and which groups, by matchers on the grouping's label:
 *     {@code disk.read.bytes.per.second{rack=~"r1|r2"}} with grouping {@code rack}
 * @param grouping a {@link Grouping} name: cluster, rack, role, node, app, job or service
 * @param startMs the range's start, inclusive
 * @param endMs the range's end, inclusive
 * @param stepMs the distance between the answer's points, a multiple of the resolution the range is answered at
 */
public record TotalsQuery(String selector, String grouping, long startMs, long endMs, long stepMs) {}
