package io.feitian.shennong.ops;

import java.util.Map;

/**
 * One agent's partial results of one subscription for one window.
 *
 * @param groups the partial of every group with samples in the window
 * @param incompleteSeries matched series whose window no longer held every sample it was given
 * @param groupsOverLimit matched series left out because they would have made more than {@link WindowQuery#MAX_GROUPS} groups
 */
public record Evaluation(Map<GroupKey, Partial> groups, long incompleteSeries, long groupsOverLimit) {}
