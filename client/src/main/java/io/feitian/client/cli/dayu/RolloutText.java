package io.feitian.client.cli.dayu;

import io.feitian.client.cli.Printer;
import io.feitian.proto.dayu.v1.NodeTaskInfo;
import io.feitian.proto.dayu.v1.RolloutInfo;
import io.feitian.proto.dayu.v1.RolloutPhase;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Rollouts for people: the status view (the plan by module and batch, each node's task), a
 * rollout's state in one line, the changes between two polls, and the approval question. Pure
 * functions of {@link RolloutInfo}. Batches are numbered from 1 here (0 in the protocol).
 */
final class RolloutText {
  /** States after which nothing more happens to the rollout's forward work. */
  private static final Set<String> ENDED = Set.of("SUCCEEDED", "FAILED", "ABORTED", "ROLLED_BACK");

  private RolloutText() {}

  static boolean ended(RolloutInfo r) {
    return ENDED.contains(r.getState());
  }

  /** {@code rollout 7 of prod: UPGRADE app=2.0.0}, with the nodes of a scale-out or scale-in. */
  static String title(RolloutInfo r) {
    String targets = new TreeMap<>(r.getTargetsMap()).entrySet().stream()
        .map(e -> e.getKey() + "=" + (e.getValue().isEmpty() ? "(removed)" : e.getValue()))
        .collect(Collectors.joining(" "));
    return "rollout " + r.getId() + " of " + r.getCluster() + ": " + r.getKind().name()
        + (targets.isEmpty() ? "" : " " + targets)
        + (r.getNodesCount() == 0 ? "" : " on " + String.join(", ", r.getNodesList()));
  }

  /** {@code RUNNING, paused, batch 2 of app awaits approval} or {@code ROLLED_BACK: why it stopped}. */
  static String state(RolloutInfo r) {
    StringBuilder s = new StringBuilder(r.getState());
    if (r.getPaused()) {
      s.append(", paused");
    }
    if (r.getAwaitingApproval()) {
      s.append(", ").append(nextBatch(r)).append(" awaits approval");
    }
    if (!r.getReason().isEmpty()) {
      s.append(": ").append(r.getReason());
    }
    if (r.getRepairsPending()) {
      s.append(" (nodes that were away still to be brought to the target)");
    }
    return s.toString();
  }

  /** {@code batch 2 of app}: the batch under way or awaiting approval. */
  static String nextBatch(RolloutInfo r) {
    return "batch " + (r.getCurrentBatch() + 1) + " of " + currentPhase(r).getModule();
  }

  /** {@code Start batch 2 of app (n3, n4)? [y/N/a(bort)] }. */
  static String question(RolloutInfo r) {
    return "Start " + nextBatch(r) + " (" + String.join(", ", hostsOf(currentPhase(r), r.getCurrentBatch()))
        + ")? [y/N/a(bort)] ";
  }

  private static RolloutPhase currentPhase(RolloutInfo r) {
    return r.getCurrentPhase() < r.getPhasesCount() ? r.getPhases(r.getCurrentPhase())
        : RolloutPhase.getDefaultInstance();
  }

  private static List<String> hostsOf(RolloutPhase p, int batch) {
    return batch >= 0 && batch < p.getBatchesCount() ? p.getBatches(batch).getHostsList() : List.of();
  }

  /** A task's steps: {@code 3/6}, or with a bar in front for a terminal. */
  static String steps(int done, int total, boolean bars) {
    return bars ? Printer.bar(done, total) + " " + done + "/" + total : done + "/" + total;
  }

  /**
   * The whole rollout: title, state, then each module with its batches (those not started with
   * their hosts, started ones with their state and steps) and each node's task under its batch.
   */
  static void status(PrintWriter out, RolloutInfo r, boolean bars) {
    out.println(title(r));
    out.println("state:    " + state(r));
    out.println("created:  " + Printer.time(r.getCreatedAtMillis()) + " by " + r.getCreatedBy() + ", updated "
        + Printer.time(r.getUpdatedAtMillis()));
    for (int p = 0; p < r.getPhasesCount(); p++) {
      RolloutPhase phase = r.getPhases(p);
      out.println();
      out.println(phase.getModule() + " " + (phase.getVersion().isEmpty() ? "removed" : "to " + phase.getVersion())
          + " on " + phase.getNodesCount() + " node(s)");
      if (!phase.getPlanned()) {
        out.println("  batches chosen when it starts: " + String.join(", ", phase.getNodesList()));
      }
      List<List<String>> rows = new ArrayList<>();
      int batches = phase.getBatchesCount();
      for (NodeTaskInfo t : r.getTasksList()) {
        if (t.getPhase() == p) {
          batches = Math.max(batches, t.getBatch() + 1);
        }
      }
      for (int b = 0; b < batches; b++) {
        batchRows(rows, r, p, b, batches, bars);
      }
      List<NodeTaskInfo> away = tasksOf(r, p, -1);
      if (!away.isEmpty()) {
        rows.add(List.of("  away when it started", "", "", "", ""));
        away.forEach(t -> rows.add(taskRow(t, bars)));
      }
      Printer.aligned(out, "", rows);
    }
  }

  private static void batchRows(List<List<String>> rows, RolloutInfo r, int p, int b, int batches, boolean bars) {
    String label = "  batch " + (b + 1) + "/" + batches;
    List<NodeTaskInfo> tasks = tasksOf(r, p, b);
    List<NodeTaskInfo> forward = tasks.stream().filter(t -> t.getPurpose().equals("FORWARD")).toList();
    if (forward.isEmpty()) {
      boolean next = r.getAwaitingApproval() && p == r.getCurrentPhase() && b == r.getCurrentBatch();
      boolean passed = p < r.getCurrentPhase() || (p == r.getCurrentPhase() && b < r.getCurrentBatch());
      String what = next ? "AWAITING APPROVAL" : passed || ended(r) ? "not run" : "waiting";
      rows.add(List.of(label, "", what, "", String.join(", ", hostsOf(r.getPhases(p), b))));
    } else {
      Map<String, Integer> states = new TreeMap<>();
      forward.forEach(t -> states.merge(t.getState(), 1, Integer::sum));
      String state = states.size() == 1 ? states.keySet().iterator().next()
          : states.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
      rows.add(List.of(label, "", state, steps(forward.stream().mapToInt(NodeTaskInfo::getStepsDone).sum(),
          forward.stream().mapToInt(NodeTaskInfo::getStepCount).sum(), bars), ""));
    }
    tasks.forEach(t -> rows.add(taskRow(t, bars)));
  }

  private static List<NodeTaskInfo> tasksOf(RolloutInfo r, int phase, int batch) {
    return r.getTasksList().stream().filter(t -> t.getPhase() == phase && t.getBatch() == batch).toList();
  }

  private static List<String> taskRow(NodeTaskInfo t, boolean bars) {
    return List.of("    " + t.getHost(), change(t), t.getState(), steps(t.getStepsDone(), t.getStepCount(), bars),
        t.getDetail());
  }

  /** {@code 1.0.0 -> 2.0.0}, {@code rollback 2.0.0 -> 1.0.0}; "none" where the module is not installed. */
  private static String change(NodeTaskInfo t) {
    String c = version(t.getFromVersion()) + " -> " + version(t.getToVersion());
    return t.getPurpose().equals("ROLLBACK") ? "rollback " + c : c;
  }

  private static String version(String v) {
    return v.isEmpty() ? "none" : v;
  }

  /**
   * What changed from one poll to the next, a line each: a batch that started (with its hosts),
   * each node task whose state or steps moved (with its detail), then the rollout's new state.
   */
  static List<String> changes(RolloutInfo before, RolloutInfo after, boolean bars) {
    List<String> lines = new ArrayList<>();
    Map<String, NodeTaskInfo> was = new HashMap<>();
    Set<String> batchesSeen = new HashSet<>();
    for (NodeTaskInfo t : before.getTasksList()) {
      was.put(key(t), t);
      batchesSeen.add(t.getPhase() + "/" + t.getBatch());
    }
    for (NodeTaskInfo t : after.getTasksList()) {
      if (t.getBatch() >= 0 && batchesSeen.add(t.getPhase() + "/" + t.getBatch())) {
        RolloutPhase p = t.getPhase() < after.getPhasesCount() ? after.getPhases(t.getPhase())
            : RolloutPhase.getDefaultInstance();
        lines.add("batch " + (t.getBatch() + 1) + " of " + t.getModule() + " started: "
            + String.join(", ", hostsOf(p, t.getBatch())));
      }
      NodeTaskInfo old = was.get(key(t));
      if (old == null || !old.getState().equals(t.getState()) || old.getStepsDone() != t.getStepsDone()) {
        lines.add("  " + t.getHost() + "  " + t.getModule() + " " + change(t) + "  " + t.getState() + "  "
            + steps(t.getStepsDone(), t.getStepCount(), bars) + (t.getDetail().isEmpty() ? "" : "  " + t.getDetail()));
      }
    }
    // Last: where the rollout stands after those changes.
    if (!before.getState().equals(after.getState()) || before.getPaused() != after.getPaused()
        || !before.getReason().equals(after.getReason())) {
      lines.add("rollout " + after.getId() + ": " + state(after));
    }
    return lines;
  }

  private static String key(NodeTaskInfo t) {
    return t.getHost() + "/" + t.getModule() + "/" + t.getPurpose();
  }

  /** The cluster's rollouts, as ListRollouts gives them (newest first). */
  static void history(PrintWriter out, List<RolloutInfo> rollouts) {
    Printer.table(out, List.of("ID", "KIND", "STATE", "TARGETS", "NODES", "CREATED", "BY", "REASON"),
        rollouts.stream().map(r -> List.of(Long.toString(r.getId()), r.getKind().name(),
            r.getState() + (r.getPaused() ? " (paused)" : ""),
            new TreeMap<>(r.getTargetsMap()).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" ")),
            r.getNodesCount() == 0 ? "all" : String.join(",", r.getNodesList()),
            Printer.time(r.getCreatedAtMillis()), r.getCreatedBy(), r.getReason())).toList());
  }
}
