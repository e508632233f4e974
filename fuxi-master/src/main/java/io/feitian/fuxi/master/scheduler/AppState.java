package io.feitian.fuxi.master.scheduler;

import io.feitian.common.resource.ResourceVector;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** An application: its quota group, its schedule units, its demand buckets and its grants. */
final class AppState {
    final String id;
    final GroupState group;
    final Map<String, UnitSpec> units = new HashMap<>();
    final Map<BucketKey, Bucket> buckets = new LinkedHashMap<>();
    ResourceVector usage = ResourceVector.ZERO;
    long outstanding;
    HeldGrant first;
    HeldGrant last;
    int grantCount;

    AppState(String id, GroupState group) {
        this.id = id;
        this.group = group;
    }

    AppStatus status() {
        return new AppStatus(id, group.quota.name(), grantCount, usage, outstanding);
    }
}
