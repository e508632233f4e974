package io.feitian.bench.e2e;

import io.feitian.testkit.ChildJvm;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/**
 * The processes of a benchmark cluster: an in-process ZooKeeper server (tick
 * 200 ms, so 2 s sessions are allowed), fuxi-masters and task-workers as
 * separate JVMs (testkit's {@link ChildJvm}), each logging to DIR/NAME.log.
 * {@link #close} kills every process it started; the benchmark main also
 * calls it from a shutdown hook.
 */
final class BenchCluster implements AutoCloseable {
  static final String MASTER_MAIN = "io.feitian.fuxi.master.FuxiMasterMain";
  static final String WORKER_MAIN = "io.feitian.taskworker.TaskWorkerMain";
  static final String CLUSTER = "bench";
  private static final Pattern LEADING = Pattern.compile("leading as (\\S+) with epoch (\\d+)");
  /**
   * ChildJvm always starts with -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1; these undo
   * them (later flags win) so a daemon runs as the deploy launchers start it: default GC (G1 on
   * this machine), C2, default 1 MiB thread stacks.
   */
  static final List<String> UNDO_CHILDJVM_DEFAULTS = List.of("-XX:-UseSerialGC", "-XX:TieredStopAtLevel=4", "-Xss1m");
  /** What deploy/src/main/dist/bin/fuxi-master passes. */
  static final List<String> MASTER_LAUNCHER_FLAGS = List.of("-Xms256m", "-Xmx1g", "-XX:+ExitOnOutOfMemoryError");

  final Path dir;
  final TestingServer zk;
  final Map<String, Process> processes = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, Long> tailOffsets = new LinkedHashMap<>();
  private int masterSeq;

  BenchCluster(Path dir) throws Exception {
    this.dir = dir;
    java.nio.file.Files.createDirectories(dir);
    this.zk = new TestingServer(new InstanceSpec(dir.resolve("zk").toFile(), -1, -1, -1, true, -1, 200, -1), true);
  }

  /** Requests ZooKeeper has received so far ("srvr" four-letter word), or -1. */
  long zkReceived() {
    try (java.net.Socket sock = new java.net.Socket("127.0.0.1", zk.getPort())) {
      sock.setSoTimeout(2000);
      sock.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
      sock.getOutputStream().flush();
      String out = new String(sock.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      Matcher m = Pattern.compile("Received: (\\d+)").matcher(out);
      return m.find() ? Long.parseLong(m.group(1)) : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  String zkConnect() {
    return zk.getConnectString();
  }

  private List<String> common() {
    return new ArrayList<>(List.of(
        "--set", "feitian.zookeeper.connect=" + zk.getConnectString(),
        "--set", "feitian.zookeeper.session-timeout=2s",
        "--set", "feitian.cluster-name=" + CLUSTER));
  }

  /**
   * Starts a fuxi-master with the launcher's JVM flags plus {@code extraJvm}; returns its name.
   * recovery-window is 1h: simulated nodes cannot run programs, so the master must never try to
   * launch the applications' own masters (it does that only after the recovery window); the
   * benchmark process plays the application masters instead.
   */
  String startMaster(List<String> extraJvm, List<String> extraArgs) {
    String name = "master-" + (++masterSeq);
    List<String> args = common();
    args.addAll(List.of("--set", "fuxi.master.port=0", "--set", "fuxi.master.recovery-window=1h"));
    args.addAll(extraArgs);
    ChildJvm jvm = ChildJvm.of(MASTER_MAIN).args(args.toArray(String[]::new)).log(dir.resolve(name + ".log"));
    UNDO_CHILDJVM_DEFAULTS.forEach(jvm::jvmArg);
    MASTER_LAUNCHER_FLAGS.forEach(jvm::jvmArg);
    extraJvm.forEach(jvm::jvmArg);
    processes.put(name, jvm.start());
    return name;
  }

  /** Starts a real task-worker with exactly these JVM flags (after undoing ChildJvm's). */
  String startWorker(String nodeId, List<String> jvmFlags, boolean undoChildJvmDefaults) {
    List<String> args = common();
    args.addAll(List.of("--set", "task-worker.node-id=" + nodeId, "--set", "task-worker.rack=rack-000",
        "--set", "task-worker.port=0", "--set", "task-worker.work-dir=" + dir.resolve("work-" + nodeId),
        "--set", "task-worker.resources.cpu-millis=16000", "--set", "task-worker.resources.memory-mib=65536",
        "--set", "task-worker.reconnect-backoff=100ms"));
    ChildJvm jvm = ChildJvm.of(WORKER_MAIN).args(args.toArray(String[]::new)).log(dir.resolve(nodeId + ".log"));
    if (undoChildJvmDefaults) {
      UNDO_CHILDJVM_DEFAULTS.forEach(jvm::jvmArg);
    }
    jvmFlags.forEach(jvm::jvmArg);
    processes.put(nodeId, jvm.start());
    return nodeId;
  }

  Process process(String name) {
    return processes.get(name);
  }

  long pid(String name) {
    return processes.get(name).pid();
  }

  /** kill -9 and wait for the process to be gone. */
  void kill9(String name) {
    Process p = processes.remove(name);
    if (p != null) {
      ChildJvm.kill9(p);
    }
  }

  /** The highest "leading as ADDRESS with epoch N" a live master logged, or null. */
  Leader leader() {
    Leader best = null;
    for (Map.Entry<String, Process> e : processes.entrySet()) {
      if (!e.getKey().startsWith("master-") || !e.getValue().isAlive()) {
        continue;
      }
      Matcher m = LEADING.matcher(log(e.getKey()));
      while (m.find()) {
        long epoch = Long.parseLong(m.group(2));
        if (best == null || epoch > best.epoch()) {
          best = new Leader(e.getKey(), m.group(1), epoch);
        }
      }
    }
    return best;
  }

  record Leader(String name, String address, long epoch) {}

  /** Waits until a live master leads with an epoch above {@code above}. */
  Leader awaitLeader(long above, long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (System.currentTimeMillis() < deadline) {
      Leader l = leader();
      if (l != null && l.epoch() > above) {
        return l;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("no master leads with an epoch above " + above + " after " + timeoutMillis
        + " ms; see the logs in " + dir);
  }

  String log(String name) {
    try {
      return java.nio.file.Files.readString(dir.resolve(name + ".log"));
    } catch (IOException e) {
      return "";
    }
  }

  /** Text appended to a log since the last call for it (cheap to poll often). */
  String tail(String name) {
    Path file = dir.resolve(name + ".log");
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long from = tailOffsets.getOrDefault(name, 0L);
      long len = f.length();
      if (len <= from) {
        return "";
      }
      byte[] b = new byte[(int) Math.min(len - from, 1 << 24)];
      f.seek(from);
      f.readFully(b);
      tailOffsets.put(name, from + b.length);
      return new String(b, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** kill -9 every process started. */
  synchronized void killAll() {
    for (Process p : new ArrayList<>(processes.values())) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      ChildJvm.kill9(p);
    }
    processes.clear();
  }

  /** Kills every process started and stops ZooKeeper. */
  @Override
  public synchronized void close() {
    killAll();
    try {
      zk.close();
    } catch (IOException e) {
      // best effort
    }
  }
}
