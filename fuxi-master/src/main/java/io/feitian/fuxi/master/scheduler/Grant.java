package io.feitian.fuxi.master.scheduler;

import io.feitian.common.resource.ResourceVector;
import java.util.Objects;

/**
 * One unit of resources on one node, held by an application until it releases it or it is
 * revoked.
 *
 * <p>{@code satisfiedLevel}/{@code satisfiedTarget} say how well the grant matches the request
 * that produced it: {@code MACHINE}/node id when it is on the requested node, {@code RACK}/rack
 * when it is on the requested rack (or on the rack of the requested node), {@code CLUSTER}/""
 * otherwise. {@code requestedLevel}/{@code requestedTarget} name the demand bucket it was taken
 * from (the {@code level} and {@code target} of the {@code request} calls), so an application
 * master can keep its own count of outstanding units exact: every grant decrements exactly that
 * bucket by one.
 *
 * @param grantId unique while held; issued sequentially from the scheduler's first id
 * @param priority the priority of the unit
 */
public record Grant(
        long grantId,
        String appId,
        String unit,
        String nodeId,
        ResourceVector shape,
        int priority,
        LocalityLevel satisfiedLevel,
        String satisfiedTarget,
        LocalityLevel requestedLevel,
        String requestedTarget) {

    public Grant {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(satisfiedLevel, "satisfiedLevel");
        Objects.requireNonNull(satisfiedTarget, "satisfiedTarget");
        Objects.requireNonNull(requestedLevel, "requestedLevel");
        Objects.requireNonNull(requestedTarget, "requestedTarget");
    }

    /**
     * A grant whose originating bucket is not known, for example one rebuilt from a task worker's
     * report after a failover; the requested level and target are taken to be the satisfied ones.
     */
    public Grant(long grantId, String appId, String unit, String nodeId, ResourceVector shape,
            int priority, LocalityLevel satisfiedLevel, String satisfiedTarget) {
        this(grantId, appId, unit, nodeId, shape, priority, satisfiedLevel, satisfiedTarget,
                satisfiedLevel, satisfiedTarget);
    }
}
