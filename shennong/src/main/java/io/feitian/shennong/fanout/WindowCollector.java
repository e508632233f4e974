package io.feitian.shennong.fanout;

import io.feitian.shennong.ops.Evaluation;
import io.feitian.shennong.ops.MergedWindow;
import io.feitian.shennong.ops.Merger;
import io.feitian.shennong.ops.WindowQuery;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The reports of one windowed subscription, window by window, and when each window is merged:
 * in order, once it has ended and every agent expected for it that is up has reported, or once the
 * report grace after its end has passed. Agents expected for a window are those routed when its
 * first report (or its deadline) came, lost ones included: a lost agent's data is missing, and the
 * merged window names it (Gap.missing_agents) rather than showing a smaller sum as if it were whole.
 */
final class WindowCollector {
  /** Windows past the next one to merge that reports may open: a few steps of clock skew. */
  static final int MAX_WINDOWS_AHEAD = 64;

  private final WindowQuery query;
  private final long graceMs;
  private final Supplier<Set<String>> routedAgents;
  private final Predicate<String> isUp;
  private final TreeMap<Long, Open> open = new TreeMap<>();
  private long nextEndMs;
  private long refusedReports;

  /**
   * A window taking reports. {@code awaited} holds the expected agents that have not reported: it
   * shrinks with every report, so asking whether the window still waits costs little however many
   * agents there are (the master asks after every burst of messages it takes). Linked, so that
   * walking it costs what it holds, not the table it had when every agent was awaited (a HashSet
   * walks its empty buckets too: 11% of the master's loop at 100 agents).
   */
  private record Open(Merger merger, Set<String> awaited) {}

  WindowCollector(WindowQuery query, long firstEndMs, long graceMs, Supplier<Set<String>> routedAgents,
      Predicate<String> isUp) {
    this.query = query;
    this.nextEndMs = firstEndMs;
    this.graceMs = graceMs;
    this.routedAgents = routedAgents;
    this.isUp = isUp;
  }

  /** The first window not merged yet: where an agent routed now must start reporting. */
  long nextEndMs() {
    return nextEndMs;
  }

  /**
   * Takes an agent's report. One for a window already merged, resent, not on a window boundary or
   * too far ahead (a clock far off: it would hold a merger per window) is refused and counted.
   */
  void add(String agent, long windowEndMs, Evaluation report) {
    long ahead = windowEndMs - nextEndMs;
    if (ahead < 0 || ahead % query.stepMs() != 0 || ahead / query.stepMs() > MAX_WINDOWS_AHEAD) {
      refusedReports++;
      return;
    }
    Open w = window(windowEndMs);
    if (w.merger().add(agent, report)) {
      w.awaited().remove(agent);
    } else {
      refusedReports++;
    }
  }

  /** The windows that may be merged at {@code nowMs}, oldest first, merged. */
  List<MergedWindow> due(long nowMs) {
    List<MergedWindow> done = new ArrayList<>();
    while (nowMs >= deadline()) {
      Merger m = window(nextEndMs).merger();
      open.remove(nextEndMs);
      nextEndMs += query.stepMs();
      done.add(m.finish());
    }
    return done;
  }

  /** When the next window may be merged: its end once every live agent expected reported, else end plus grace. */
  long deadline() {
    Open w = open.get(nextEndMs); // not opened here: agents routed until a window's first report are expected
    for (String agent : w == null ? routedAgents.get() : w.awaited()) {
      if (isUp.test(agent)) {
        return nextEndMs + graceMs;
      }
    }
    return nextEndMs;
  }

  long refusedReports() {
    return refusedReports;
  }

  private Open window(long windowEndMs) {
    return open.computeIfAbsent(windowEndMs, end -> {
      Set<String> expected = routedAgents.get();
      return new Open(new Merger(query, end, expected), new LinkedHashSet<>(expected));
    });
  }
}
