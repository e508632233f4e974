package io.feitian.shennong.ops;

import java.util.List;
import java.util.Map;

/**
 * The master's result of one subscription for one window.
 *
 * @param windowStartMs the window is (windowStartMs, windowStartMs + window]
 * @param groups every group with samples, sorted by key
 * @param missingAgents agents expected for the window that did not report, sorted
 * @param incompleteSeries series that some agent no longer held whole for the window
 * @param groupsOverLimit series (on agents) or groups (here) left out over {@link WindowQuery#MAX_GROUPS}
 */
public record MergedWindow(long windowStartMs, Map<GroupKey, GroupValue> groups, List<String> missingAgents,
                           long incompleteSeries, long groupsOverLimit) {}
