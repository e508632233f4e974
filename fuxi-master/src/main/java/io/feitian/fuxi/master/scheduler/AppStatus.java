package io.feitian.fuxi.master.scheduler;

import io.feitian.common.resource.ResourceVector;

/**
 * A snapshot of one application.
 *
 * @param inUse the sum of the shapes of the grants it holds
 * @param outstandingUnits units requested and neither granted nor withdrawn yet
 */
public record AppStatus(String appId, String group, int grantCount, ResourceVector inUse, long outstandingUnits) {}
