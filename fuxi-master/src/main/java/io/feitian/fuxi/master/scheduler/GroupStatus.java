package io.feitian.fuxi.master.scheduler;

import io.feitian.common.resource.ResourceVector;

/**
 * A snapshot of one quota group.
 *
 * @param usage the sum of the shapes of the grants held by its applications
 */
public record GroupStatus(QuotaGroup quota, ResourceVector usage, int appCount, long outstandingUnits) {

    public String name() {
        return quota.name();
    }
}
