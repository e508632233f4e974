package io.feitian.fuxi.master.scheduler;

import io.feitian.common.resource.ResourceVector;

/** What every unit of one schedule unit looks like; fixed by the first request or restore. */
record UnitSpec(ResourceVector shape, int priority) {}
