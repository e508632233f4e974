package io.feitian.shennong.monitor.notify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/** The silences the operator set, active, pending or expired. */
public final class Silences {
  private final Map<String, Silence> byId = new LinkedHashMap<>();

  public void add(Silence silence) {
    if (byId.putIfAbsent(silence.id(), silence) != null) {
      throw new IllegalArgumentException("id " + silence.id() + " is already a silence");
    }
  }

  /**
   * Ends the silence at {@code nowMs}; one that has not started yet ends before it starts. Expiring
   * an expired silence changes nothing. Unknown ids are a NoSuchElementException.
   */
  public Silence expire(String id, long nowMs) {
    Silence s = byId.get(id);
    if (s == null) {
      throw new NoSuchElementException("no silence " + id);
    }
    if (s.endsAtMs() <= nowMs) {
      return s;
    }
    long start = Math.min(s.startsAtMs(), nowMs - 1);
    Silence expired = new Silence(s.id(), s.matchers(), start, nowMs, s.createdBy(), s.comment());
    byId.put(id, expired);
    return expired;
  }

  /** The ids of the silences that mute an alert with these labels at {@code nowMs}. */
  public List<String> silencing(Map<String, String> labels, long nowMs) {
    List<String> out = new ArrayList<>();
    for (Silence s : byId.values()) {
      if (s.activeAt(nowMs) && s.matches(labels)) {
        out.add(s.id());
      }
    }
    return out;
  }

  public boolean silenced(Map<String, String> labels, long nowMs) {
    for (Silence s : byId.values()) {
      if (s.activeAt(nowMs) && s.matches(labels)) {
        return true;
      }
    }
    return false;
  }

  /** Every silence, in the order they were added. */
  public List<Silence> list() {
    return List.copyOf(byId.values());
  }

  /** Forgets silences that ended before {@code cutoffMs} (the shell keeps expired ones listed for a while). */
  public void forgetEndedBefore(long cutoffMs) {
    byId.values().removeIf(s -> s.endsAtMs() < cutoffMs);
  }
}
