package io.feitian.shennong.monitor.notify;

import io.feitian.shennong.select.LabelMatcher;
import java.util.List;
import java.util.Map;

/**
 * Mutes the alerts its matchers all match from {@code startsAtMs} (inclusive) to {@code endsAtMs}
 * (exclusive). Expiring a silence ends it now; it stays listed until the shell forgets it.
 *
 * @param id given by the shell (unique)
 * @param matchers at least one, and at least one that does not match an empty label set, so that
 *     no silence mutes everything by accident
 */
public record Silence(String id, List<LabelMatcher> matchers, long startsAtMs, long endsAtMs, String createdBy,
                      String comment) {
  public Silence {
    matchers = List.copyOf(matchers);
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("id is required");
    }
    if (matchers.isEmpty() || Matchers.matchAll(matchers, Map.of())) {
      throw new IllegalArgumentException("matchers must hold at least one matcher that an alert without labels fails,"
          + " got " + Matchers.format(matchers));
    }
    if (endsAtMs <= startsAtMs) {
      throw new IllegalArgumentException("ends_at must be after starts_at, got " + startsAtMs + " and " + endsAtMs);
    }
    if (createdBy == null || createdBy.isBlank()) {
      throw new IllegalArgumentException("created_by is required: who silenced, for whoever wonders later");
    }
    if (comment == null || comment.isBlank()) {
      throw new IllegalArgumentException("comment is required: why the alerts are silenced");
    }
  }

  public boolean activeAt(long nowMs) {
    return startsAtMs <= nowMs && nowMs < endsAtMs;
  }

  public boolean matches(Map<String, String> labels) {
    return Matchers.matchAll(matchers, labels);
  }
}
