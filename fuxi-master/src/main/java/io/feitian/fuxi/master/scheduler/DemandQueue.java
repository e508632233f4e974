package io.feitian.fuxi.master.scheduler;

import io.feitian.common.resource.ResourceVector;
import java.util.ArrayList;
import java.util.List;

/**
 * The waiting demand of one vertex of the locality tree (one machine, one rack, or the whole
 * cluster), as lanes grouped by priority, highest first.
 */
final class DemandQueue {

    static final class PriorityLevel {
        final int priority;
        final List<Lane> lanes = new ArrayList<>(4);

        PriorityLevel(int priority) {
            this.priority = priority;
        }
    }

    final LocalityLevel level;
    final String target;
    /** Sorted by priority, highest first. */
    final List<PriorityLevel> levels = new ArrayList<>(4);

    DemandQueue(LocalityLevel level, String target) {
        this.level = level;
        this.target = target;
    }

    void add(Bucket b) {
        laneFor(b.app.group, b.spec.shape(), b.spec.priority()).add(b);
    }

    /** Removes the bucket from this queue; false if it was not in it. */
    boolean remove(Bucket b) {
        Lane lane = b.lanes[level.ordinal()];
        if (lane == null) {
            return false;
        }
        lane.remove(b);
        if (lane.isEmpty()) {
            removeLane(lane);
        }
        return true;
    }

    boolean isEmpty() {
        return levels.isEmpty();
    }

    private Lane laneFor(GroupState group, ResourceVector shape, int priority) {
        int i = 0;
        while (i < levels.size() && levels.get(i).priority > priority) {
            i++;
        }
        PriorityLevel pl;
        if (i < levels.size() && levels.get(i).priority == priority) {
            pl = levels.get(i);
            for (Lane lane : pl.lanes) {
                if (lane.group == group && lane.shape.equals(shape)) {
                    return lane;
                }
            }
        } else {
            pl = new PriorityLevel(priority);
            levels.add(i, pl);
        }
        Lane lane = new Lane(this, group, shape, priority);
        pl.lanes.add(lane);
        return lane;
    }

    private void removeLane(Lane lane) {
        lane.group.unblock(lane);
        for (int i = 0; i < levels.size(); i++) {
            PriorityLevel pl = levels.get(i);
            if (pl.priority == lane.priority) {
                pl.lanes.remove(lane);
                if (pl.lanes.isEmpty()) {
                    levels.remove(i);
                }
                return;
            }
        }
    }
}
