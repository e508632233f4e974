package io.feitian.dayu.descriptor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The dependencies among a set of module versions, e.g. what a cluster will run after a rollout.
 * A module may appear in several versions (a cluster half-way through an upgrade): a dependency is
 * satisfied only when every version present is in its range. Built only if every dependency is
 * present and satisfied and there is no cycle; {@link #order()} then lists modules so that each
 * comes after everything it depends on.
 */
public final class ModuleGraph {
  private final Map<String, List<ModuleDescriptor>> versions;
  /** Module -> the modules it depends on, names sorted so the order is deterministic. */
  private final Map<String, Set<String>> edges = new TreeMap<>();
  private final List<String> order;

  /** @param complete every dependency must be present and satisfied; otherwise absent ones are left out */
  private ModuleGraph(Map<String, List<ModuleDescriptor>> versions, boolean complete) {
    this.versions = versions;
    for (Map.Entry<String, List<ModuleDescriptor>> e : versions.entrySet()) {
      Set<String> needs = new TreeSet<>();
      for (ModuleDescriptor d : e.getValue()) {
        for (Dependency dep : d.dependencies()) {
          if (complete) {
            checkSatisfied(d, dep);
          } else if (!versions.containsKey(dep.module())) {
            continue;
          }
          needs.add(dep.module());
        }
      }
      edges.put(e.getKey(), needs);
    }
    order = topologicalOrder();
  }

  /** IllegalArgumentException naming the module and dependency when a dependency is missing, out of range, or cyclic. */
  public static ModuleGraph of(Collection<ModuleDescriptor> modules) {
    return new ModuleGraph(byName(modules), true);
  }

  /**
   * IllegalArgumentException naming the cycle if the dependencies among {@code modules} form one,
   * whatever their ranges; dependencies on modules not among them are left out. What publishing a
   * version checks: the modules it needs may be published later, ranges are a rollout's concern.
   */
  public static void checkAcyclic(Collection<ModuleDescriptor> modules) {
    new ModuleGraph(byName(modules), false);
  }

  private static Map<String, List<ModuleDescriptor>> byName(Collection<ModuleDescriptor> modules) {
    Map<String, List<ModuleDescriptor>> byName = new TreeMap<>();
    Set<String> ids = new HashSet<>();
    for (ModuleDescriptor d : modules) {
      if (ids.add(d.id())) {
        byName.computeIfAbsent(d.name(), n -> new ArrayList<>()).add(d);
      }
    }
    return byName;
  }

  private void checkSatisfied(ModuleDescriptor d, Dependency dep) {
    List<ModuleDescriptor> present = versions.get(dep.module());
    if (present == null) {
      throw new IllegalArgumentException(d.id() + " depends on " + dep + ", which is not deployed or in the rollout");
    }
    for (ModuleDescriptor p : present) {
      if (!dep.range().admits(p.version())) {
        throw new IllegalArgumentException(d.id() + " depends on " + dep + ", not satisfied by " + p.id());
      }
    }
  }

  /** Kahn's algorithm, smallest name first among the ready; a leftover means a cycle, which is named. */
  private List<String> topologicalOrder() {
    Map<String, Integer> waitingOn = new HashMap<>();
    edges.forEach((m, needs) -> waitingOn.put(m, needs.size()));
    TreeSet<String> ready = new TreeSet<>();
    waitingOn.forEach((m, n) -> {
      if (n == 0) {
        ready.add(m);
      }
    });
    List<String> out = new ArrayList<>();
    while (!ready.isEmpty()) {
      String m = ready.pollFirst();
      out.add(m);
      edges.forEach((other, needs) -> {
        if (needs.contains(m) && waitingOn.merge(other, -1, Integer::sum) == 0) {
          ready.add(other);
        }
      });
    }
    if (out.size() < edges.size()) {
      throw new IllegalArgumentException("dependency cycle: " + String.join(" -> ", cycle(new HashSet<>(out))));
    }
    return List.copyOf(out);
  }

  /** A cycle among the modules not ordered: follow dependencies from one of them until a module repeats. */
  private List<String> cycle(Set<String> ordered) {
    String start = edges.keySet().stream().filter(m -> !ordered.contains(m)).findFirst().orElseThrow();
    Deque<String> path = new ArrayDeque<>();
    String at = start;
    while (!path.contains(at)) {
      path.addLast(at);
      at = edges.get(at).stream().filter(m -> !ordered.contains(m)).findFirst().orElseThrow();
    }
    List<String> cycle = new ArrayList<>();
    boolean in = false;
    for (String m : path) {
      in |= m.equals(at);
      if (in) {
        cycle.add(m);
      }
    }
    cycle.add(at);
    return cycle;
  }

  /** Every module, each after all it depends on. */
  public List<String> order() {
    return order;
  }

  /** The modules {@code module} depends on directly. */
  public Set<String> dependenciesOf(String module) {
    Set<String> needs = edges.get(module);
    if (needs == null) {
      throw new IllegalArgumentException("no module " + module + " in the graph");
    }
    return Set.copyOf(needs);
  }
}
