package io.feitian.dayu.rollout;

import io.feitian.dayu.descriptor.Descriptors;
import io.feitian.dayu.descriptor.ModuleDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builders and a recording driver for rollout tests: modules "a" (role web) and "b" (roles web, api; needs a). */
final class Harness {
  static final List<ModuleDescriptor> PUBLISHED = List.of(
      Descriptors.simple("a", "1.0.0", List.of("web")),
      Descriptors.simple("a", "1.1.0", List.of("web")),
      Descriptors.simple("b", "1.0.0", List.of("web", "api"), "a >= 1.0"),
      Descriptors.simple("b", "1.1.0", List.of("web", "api"), "a >= 1.1"));
  static final Catalog CATALOG = new Catalog(PUBLISHED);

  final List<Action> log = new ArrayList<>();
  Rollout rollout;
  long now;

  static NodeView node(String id, Set<String> roles, Map<String, String> versions) {
    return new NodeView(id, roles, versions, true);
  }

  /** n web nodes running a and b at 1.0.0. */
  static List<NodeView> webNodes(int n) {
    List<NodeView> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(node("n" + i, Set.of("web"), Map.of("a", "1.0.0", "b", "1.0.0")));
    }
    return out;
  }

  static Strategy strategy(int batch, int maxUnavailable, long minHealthy, int threshold, boolean autoRollback,
      boolean interactive) {
    return new Strategy(List.of(new Amount(batch, false)), null, minHealthy, Map.of(), new Amount(maxUnavailable, false),
        threshold, autoRollback, interactive, 60_000);
  }

  Harness(RolloutRequest request, List<NodeView> cluster) {
    rollout = Rollout.plan(request, cluster, CATALOG);
  }

  List<Action> record(List<Action> actions) {
    log.addAll(actions);
    return actions;
  }

  List<Action> tick(long at) {
    now = at;
    return record(rollout.tick(now));
  }

  /** The node reports every remaining step of its running task done. */
  List<Action> finish(Action.Apply a) {
    List<Action> out = new ArrayList<>();
    for (int s = a.firstStep(); s < a.steps().size(); s++) {
      out.addAll(rollout.stepDone(now, a.node(), a.module(), a.toVersion(), s));
    }
    return record(out);
  }

  List<Action> fail(Action.Apply a) {
    return record(rollout.stepFailed(now, a.node(), a.module(), a.toVersion(), a.firstStep(), "exit 1"));
  }

  static List<Action.Apply> applies(List<? extends Action> actions) {
    return actions.stream().filter(x -> x instanceof Action.Apply).map(x -> (Action.Apply) x).toList();
  }

  static List<String> where(List<? extends Action> actions) {
    return applies(actions).stream().map(a -> a.node() + ":" + a.module() + "@" + a.toVersion()).toList();
  }
}
