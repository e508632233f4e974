package io.feitian.fuxi.master.scheduler;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects what one scheduler call changed. Most calls issue or release one grant, so a single
 * grant is kept without a list; {@code List.of} results are not copied again by {@link Outcome}.
 */
final class OutcomeBuilder {
    private Grant firstGranted;
    private List<Grant> granted;
    private Grant firstReleased;
    private List<Grant> released;

    void granted(Grant g) {
        if (firstGranted == null) {
            firstGranted = g;
            return;
        }
        if (granted == null) {
            granted = new ArrayList<>(4);
            granted.add(firstGranted);
        }
        granted.add(g);
    }

    void released(Grant g) {
        if (firstReleased == null) {
            firstReleased = g;
            return;
        }
        if (released == null) {
            released = new ArrayList<>(4);
            released.add(firstReleased);
        }
        released.add(g);
    }

    Outcome build() {
        if (firstGranted == null && firstReleased == null) {
            return Outcome.NONE;
        }
        return new Outcome(list(firstGranted, granted), list(firstReleased, released));
    }

    private static List<Grant> list(Grant first, List<Grant> all) {
        if (all != null) {
            return all;
        }
        return first == null ? List.of() : List.of(first);
    }
}
