package io.feitian.fuxi.master.scheduler;

import io.feitian.common.resource.ResourceVector;

/** One demand bucket of an application: units of one shape waiting at one place in the locality tree. */
public record DemandStatus(
        String appId,
        String unit,
        LocalityLevel level,
        String target,
        ResourceVector shape,
        int priority,
        boolean relaxLocality,
        long outstanding) {}
