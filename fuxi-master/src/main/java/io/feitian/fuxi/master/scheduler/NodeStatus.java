package io.feitian.fuxi.master.scheduler;

import io.feitian.common.resource.ResourceVector;

/** A snapshot of one node as the scheduler sees it. */
public record NodeStatus(
        String nodeId, String rack, ResourceVector total, ResourceVector free, boolean blacklisted, boolean draining,
        int grantCount) {}
