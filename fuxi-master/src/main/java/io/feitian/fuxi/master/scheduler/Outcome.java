package io.feitian.fuxi.master.scheduler;

import java.util.List;

/**
 * What a scheduler call changed in the set of grants. The daemon must deliver every grant in
 * {@code granted} to its application and tell the owner of every grant in {@code released}; the
 * scheduler never issues or takes away a grant outside an {@code Outcome}.
 *
 * @param granted grants newly issued by the call, in issue order: immediate placement of a
 *     request, or rescheduling of resources the call freed
 * @param released grants the call took away: the released or revoked grant, the grants of a lost
 *     node or of a removed application
 */
public record Outcome(List<Grant> granted, List<Grant> released) {

    /** Nothing changed. */
    public static final Outcome NONE = new Outcome(List.of(), List.of());

    public Outcome {
        granted = List.copyOf(granted);
        released = List.copyOf(released);
    }

    public boolean isEmpty() {
        return granted.isEmpty() && released.isEmpty();
    }
}
