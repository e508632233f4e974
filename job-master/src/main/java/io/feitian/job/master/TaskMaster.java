package io.feitian.job.master;

import io.feitian.client.AppMasterSession;
import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.fuxi.v1.LocalityLevel;
import io.feitian.proto.job.v1.TaskSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A TaskMaster: one task's demand on Fuxi, how many workers
 * it has asked for at each place (the grants it holds are in the job's
 * {@link io.feitian.job.grants.JobGrants}). Workers are
 * asked for on the nodes that hold the task's input (relaxing to their racks
 * and the cluster, as the Fuxi paper's locality tree does), else anywhere.
 */
final class TaskMaster {
  private record Place(LocalityLevel level, String target) {}

  private final TaskSpec spec;
  private final int priority;
  private final int slots;
  private final Map<Place, Integer> asked = new LinkedHashMap<>();
  private int nextNode;

  TaskMaster(TaskSpec spec, int priority) {
    this.spec = spec;
    this.priority = priority;
    this.slots = spec.getProgram().hasThread() ? Math.max(1, spec.getProgram().getThread().getThreads()) : 1;
  }

  TaskSpec spec() {
    return spec;
  }

  /** Workers needed for this many unfinished instances: one slot each. */
  int workersFor(int unfinished) {
    return (unfinished + slots - 1) / slots;
  }

  int asked() {
    return asked.values().stream().mapToInt(Integer::intValue).sum();
  }

  /**
   * Asks for or withdraws workers so that {@code held} + asked = wanted
   * (never withdrawing held grants). Workers are asked for on the input's machines;
   * when machines are to be avoided ({@code avoid}: blacklisted for the task,
   * or running the stragglers to back up), on the other machines by name
   * (the input's, else the cluster's {@code alive} ones), so that Fuxi's
   * locality tree steers away from them; it falls back to them only when the
   * named machines are full, and such grants are returned.
   */
  void adjust(AppMasterSession session, int wanted, int held, Set<String> avoid, List<String> alive) {
    int delta = wanted - held - asked();
    if (delta > 0) {
      List<String> inputNodes = spec.hasInput() ? spec.getInput().getNodesList() : List.of();
      List<String> named = inputNodes.stream().filter(n -> !avoid.contains(n)).toList();
      if (named.isEmpty() && !avoid.isEmpty()) {
        named = alive.stream().filter(n -> !avoid.contains(n)).toList();
      }
      for (int i = 0; i < delta; i++) {
        Place p = named.isEmpty() ? new Place(LocalityLevel.LOCALITY_LEVEL_CLUSTER, "")
            : new Place(LocalityLevel.LOCALITY_LEVEL_MACHINE, named.get(nextNode++ % named.size()));
        ask(session, p, 1);
      }
    } else if (delta < 0) {
      int withdraw = Math.min(-delta, asked());
      for (Place p : List.copyOf(asked.keySet())) {
        int n = Math.min(withdraw, asked.get(p));
        if (n > 0) {
          ask(session, p, -n);
          withdraw -= n;
        }
      }
    }
  }

  private void ask(AppMasterSession session, Place p, int delta) {
    asked.merge(p, delta, Integer::sum);
    if (asked.get(p) == 0) {
      asked.remove(p);
    }
    session.request(spec.getName(), spec.getResources(), priority, p.level(), p.target(), delta, true);
  }

  /** A grant arrived for this task: it no longer counts as asked for. */
  void granted(Grant g) {
    Place p = new Place(g.getRequestedLevel(), g.getRequestedTarget());
    Integer n = asked.get(p);
    if (n != null) {
      if (n <= 1) {
        asked.remove(p);
      } else {
        asked.put(p, n - 1);
      }
    }
  }
}
