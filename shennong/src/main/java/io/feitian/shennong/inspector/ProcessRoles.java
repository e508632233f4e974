package io.feitian.shennong.inspector;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Which processes of a node the inspector reports on, and in what role: the Feitian daemons and
 * the workers the task-workers started.
 *
 * <ul>
 *   <li>A <b>daemon</b> is a {@code java} process whose main class (its first argument that is not
 *       an option or an option's value) is one of {@link #MAIN_CLASSES}: that is how the launchers
 *       in {@code bin/}, the local cluster and a task-worker starting a job-master run them.
 *   <li>A <b>worker</b> is a descendant (through parent pids) of a task-worker's launch wrapper,
 *       {@code sh -c <script> feitian-launch ...}, which stays the parent of the program it
 *       started for the program's life. The wrapper, not the task-worker, is the ancestor looked
 *       for: workers outlive a task-worker's restart and are then no longer its descendants. A
 *       descendant that is itself a daemon (a job-master) keeps its daemon role; the wrapper, a
 *       few hundred KiB of shell, is not reported.
 * </ul>
 *
 * <p>A process under a wrapper also has an {@link Owner}: the application and worker that the
 * wrapper's environment names ({@code FEITIAN_APP_ID}, {@code FEITIAN_WORKER_ID}), so that its
 * series say whose it is.
 *
 * Pure: the process table is passed in.
 */
final class ProcessRoles {
  /** The main classes of Feitian's daemons (and of the ZooKeeper it ships), with their roles. */
  static final Map<String, String> MAIN_CLASSES = Map.of(
      "io.feitian.fuxi.master.FuxiMasterMain", "fuxi-master",
      "io.feitian.taskworker.TaskWorkerMain", "task-worker",
      "io.feitian.job.master.JobMasterMain", "job-master",
      "io.feitian.service.master.ServiceMasterMain", "service-master",
      "io.feitian.shennong.master.ShennongMasterMain", "shennong-master",
      "io.feitian.shennong.agent.ShennongAgentMain", "shennong-agent",
      "io.feitian.shennong.inspector.ShennongInspectorMain", "shennong-inspector",
      "org.apache.zookeeper.server.ZooKeeperServerMain", "zookeeper",
      "org.apache.zookeeper.server.quorum.QuorumPeerMain", "zookeeper");
  static final String WORKER = "worker";
  /** The wrapper's {@code $0}: task-worker's {@code ProgramLauncher} starts every worker under it. */
  static final String LAUNCH_WRAPPER = "feitian-launch";
  /** java options whose value is the next argument (the rest carry it after '=' or take none). */
  private static final Set<String> OPTIONS_WITH_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p",
      "--module-path", "--upgrade-module-path", "--add-modules", "--limit-modules", "--add-exports", "--add-opens",
      "--add-reads", "--patch-module", "--enable-native-access");

  /** The environment variables of a launch wrapper that name the worker it runs (task-worker sets them). */
  static final String APP_ID_VARIABLE = "FEITIAN_APP_ID";
  static final String WORKER_ID_VARIABLE = "FEITIAN_WORKER_ID";

  /**
   * One row of the process table: pid, parent pid, the command line (empty when unreadable) and,
   * for a launch wrapper, its environment (empty for other processes, and when unreadable).
   */
  record ProcessInfo(long pid, long parentPid, List<String> args, Map<String, String> environment) {
    ProcessInfo {
      args = List.copyOf(args);
      environment = Map.copyOf(environment);
    }

    ProcessInfo(long pid, long parentPid, List<String> args) {
      this(pid, parentPid, args, Map.of());
    }
  }

  /** The application and worker a process runs for, as labels ({@code app}, {@code worker}). */
  record Owner(String app, String worker) {
    Map<String, String> labels() {
      return Map.of("app", app, "worker", worker);
    }
  }

  private ProcessRoles() {}

  /** The role of every process to report on, by pid (in pid order). */
  static Map<Long, String> classify(List<ProcessInfo> table) {
    Map<Long, List<ProcessInfo>> children = childrenByParent(table);
    Map<Long, String> roles = new TreeMap<>();
    for (ProcessInfo p : table) {
      String role = daemonRole(p.args());
      if (role != null) {
        roles.put(p.pid(), role);
      }
    }
    for (ProcessInfo p : table) {
      if (isLaunchWrapper(p.args())) {
        // Descendants with no role yet are workers; nested wrappers are not reported.
        forEachDescendant(p.pid(), children, d -> {
          if (!isLaunchWrapper(d.args())) {
            roles.putIfAbsent(d.pid(), WORKER);
          }
        });
      }
    }
    return roles;
  }

  /**
   * The owner of every process under a launch wrapper that names one in its environment: the
   * program it runs and that program's descendants, a daemon such as a job-master included.
   */
  static Map<Long, Owner> owners(List<ProcessInfo> table) {
    Map<Long, List<ProcessInfo>> children = childrenByParent(table);
    Map<Long, Owner> owners = new TreeMap<>();
    for (ProcessInfo p : table) {
      String app = p.environment().getOrDefault(APP_ID_VARIABLE, "");
      String worker = p.environment().getOrDefault(WORKER_ID_VARIABLE, "");
      if (isLaunchWrapper(p.args()) && !app.isEmpty() && !worker.isEmpty()) {
        Owner owner = new Owner(app, worker);
        forEachDescendant(p.pid(), children, d -> owners.put(d.pid(), owner));
      }
    }
    return owners;
  }

  private static Map<Long, List<ProcessInfo>> childrenByParent(List<ProcessInfo> table) {
    Map<Long, List<ProcessInfo>> children = new HashMap<>();
    for (ProcessInfo p : table) {
      children.computeIfAbsent(p.parentPid(), k -> new ArrayList<>()).add(p);
    }
    return children;
  }

  /** Calls {@code action} on every descendant of {@code pid} (iteratively: trees may be deep). */
  private static void forEachDescendant(long pid, Map<Long, List<ProcessInfo>> children,
      Consumer<ProcessInfo> action) {
    List<Long> pending = new ArrayList<>(List.of(pid));
    while (!pending.isEmpty()) {
      long parent = pending.remove(pending.size() - 1);
      for (ProcessInfo child : children.getOrDefault(parent, List.of())) {
        if (child.pid() == parent) {
          continue; // pid 0's parent is itself in some tables
        }
        action.accept(child);
        pending.add(child.pid());
      }
    }
  }

  /** The daemon role of a command line, or null. */
  static String daemonRole(List<String> args) {
    String main = javaMainClass(args);
    return main == null ? null : MAIN_CLASSES.get(main);
  }

  /** The main class of a {@code java} command line, or null (not java, {@code -jar}, no class). */
  static String javaMainClass(List<String> args) {
    if (args.isEmpty() || !(args.get(0).equals("java") || args.get(0).endsWith("/java"))) {
      return null;
    }
    for (int i = 1; i < args.size(); i++) {
      String a = args.get(i);
      if (OPTIONS_WITH_VALUE.contains(a)) {
        i++;
      } else if (a.equals("-jar") || a.equals("-m") || a.equals("--module")) {
        return null;
      } else if (!a.startsWith("-")) {
        return a;
      }
    }
    return null;
  }

  static boolean isLaunchWrapper(List<String> args) {
    return args.size() >= 4 && args.get(1).equals("-c") && args.get(3).equals(LAUNCH_WRAPPER);
  }
}
