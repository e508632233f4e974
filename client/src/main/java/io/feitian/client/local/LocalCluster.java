package io.feitian.client.local;

import io.feitian.client.ClusterTarget;
import io.feitian.client.FeitianClient;
import io.feitian.proto.fuxi.v1.ClusterStatus;
import io.feitian.proto.fuxi.v1.GetClusterStatusRequest;
import io.feitian.proto.fuxi.v1.NodeState;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * A whole cluster on one machine, every daemon a separate process on
 * loopback: a ZooKeeper server, fuxi-masters (one leads, the others stand
 * by), task-workers, Shennong (two masters, the machine's agent and its inspector), a monitor-service
 * and an analysis-service (with its page), each with its standby. State (pids, logs, data, the
 * monitor-service's rules) lives under one directory so {@code local down} from another shell can stop it.
 *
 * <p>A secure local cluster ({@code local up --secure}) runs every daemon but
 * ZooKeeper with mutual TLS and tokens, from a CA, certificates and tokens
 * made fresh in {@code <dir>/secure} ({@link LocalSecrets}); the CLI finds
 * them there ({@link LocalCredentials}). Starting a plain local cluster, or
 * stopping any, removes that directory.
 */
public final class LocalCluster {
  static final String ZK_MAIN = "org.apache.zookeeper.server.ZooKeeperServerMain";
  static final String MASTER_MAIN = "io.feitian.fuxi.master.FuxiMasterMain";
  static final String WORKER_MAIN = "io.feitian.taskworker.TaskWorkerMain";
  static final String SHENNONG_MASTER_MAIN = "io.feitian.shennong.master.ShennongMasterMain";
  static final String SHENNONG_AGENT_MAIN = "io.feitian.shennong.agent.ShennongAgentMain";
  static final String SHENNONG_INSPECTOR_MAIN = "io.feitian.shennong.inspector.ShennongInspectorMain";
  static final String MONITOR_MAIN = "io.feitian.shennong.monitor.service.MonitorServiceMain";
  /** monitor-services: one leads, one stands by. */
  static final int MONITOR_SERVICES = 2;
  static final String ANALYSIS_MAIN = "io.feitian.shennong.analysis.service.AnalysisServiceMain";
  /** analysis-services: one leads, one stands by. */
  static final int ANALYSIS_SERVICES = 2;
  /** bin/shennong-inspector's JVM options but the collector (every local daemon gets the serial one). */
  static final List<String> INSPECTOR_JVM = List.of("-Xmx32m", "-Xms8m", "-XX:TieredStopAtLevel=1", "-Xss256k",
      "-XX:ReservedCodeCacheSize=16m", "-Dio.grpc.netty.shaded.io.netty.allocator.type=unpooled");
  /** Shennong masters: one leads, one stands by. */
  static final int SHENNONG_MASTERS = 2;
  static final String STATE_FILE = "local-cluster.properties";
  /**
   * How long `local up` waits for Fuxi (every master and node) before it gives up and stops what it
   * started. A quiet machine takes a few seconds; a loaded one (CI, a test loop beside) took over 60.
   */
  static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  public static final String CLUSTER_NAME = "local";

  /** What to start where. */
  public record Layout(Path dir, int zkPort, int masterPort, int workerPort, int masters, int workers,
      long workerCpuMillis, long workerMemoryMib) {
    public Layout {
      if (masters < 1 || workers < 1) {
        throw new IllegalArgumentException("need at least one master and one worker");
      }
      dir = dir.toAbsolutePath().normalize();
    }

    Path logs() {
      return dir.resolve("logs");
    }

    public String zkConnect() {
      return "127.0.0.1:" + zkPort;
    }

    /** The machine's shennong-agent: 200 above the first fuxi-master (7300 by default). */
    public int shennongAgentPort() {
      return masterPort + 200;
    }

    /** Shennong master {@code i} (1-based): 210 above the first fuxi-master (7310, 7311 by default). */
    public int shennongMasterPort(int i) {
      return masterPort + 210 + i - 1;
    }

    /** The agent's /metrics: 201 above the first fuxi-master (7301). */
    public int shennongAgentMetricsPort() {
      return masterPort + 201;
    }

    /** Shennong master {@code i}'s /metrics: 220 above the first fuxi-master (7320, 7321). */
    public int shennongMasterMetricsPort(int i) {
      return masterPort + 220 + i - 1;
    }

    /** monitor-service {@code i} (1-based): 230 above the first fuxi-master (7330, 7331 by default). */
    public int monitorPort(int i) {
      return masterPort + 230 + i - 1;
    }

    /** analysis-service {@code i} (1-based): 240 above the first fuxi-master (7340, 7341 by default). */
    public int analysisPort(int i) {
      return masterPort + 240 + i - 1;
    }

    /**
     * analysis-service {@code i}'s page (1-based): 245 above the first fuxi-master (7345, as the
     * shipped configuration, and 7346); the leader's shows the charts, the standby's names the leader.
     */
    public int analysisHttpPort(int i) {
      return masterPort + 245 + i - 1;
    }

    /** The monitor-services' rule directory. */
    public Path monitorRules() {
      return dir.resolve("monitor-rules");
    }
  }

  /** One started daemon. */
  public record Member(String name, String address, long pid, Path log) {}

  private final Layout layout;
  private final PrintStream out;
  private final boolean secure;
  private final boolean shennong;
  // Set by prepare() when secure, before any daemon starts.
  private volatile LocalSecrets secrets;
  /** A daemon this instance started, with its process (the member alone outlives a restart's kill). */
  private record Started(Member member, Process process) {}

  // Written by the starting thread, read by a Ctrl-C handler.
  private final List<Started> started = new CopyOnWriteArrayList<>();

  public LocalCluster(Layout layout, PrintStream out) {
    this(layout, out, false);
  }

  /** With {@code secure}, the cluster runs with mutual TLS and tokens (see the class comment). */
  public LocalCluster(Layout layout, PrintStream out, boolean secure) {
    this(layout, out, secure, true);
  }

  /** Without {@code shennong}, only ZooKeeper and Fuxi: for `local demo`, which needs no monitoring. */
  public LocalCluster(Layout layout, PrintStream out, boolean secure, boolean shennong) {
    this.layout = layout;
    this.out = out;
    this.secure = secure;
    this.shennong = shennong;
  }

  /** How the CLI reaches this cluster when it is secure (valid once {@link #up} has begun). */
  public Optional<LocalCredentials> credentials() {
    return Optional.ofNullable(secrets).map(LocalSecrets::credentials);
  }

  /** Starts everything and waits until the leader sees every node. Stops what it started on failure. */
  public List<Member> up() throws IOException, InterruptedException {
    Optional<Long> running = runningPid(layout.dir());
    if (running.isPresent()) {
      throw new IllegalStateException("a local cluster is already running from " + layout.dir() + " (pid "
          + running.get() + "); stop it with: feitian local down");
    }
    List<Integer> ports = new ArrayList<>(List.of(layout.zkPort()));
    for (int i = 0; i < layout.masters(); i++) {
      ports.add(layout.masterPort() + i);
    }
    for (int i = 0; i < layout.workers(); i++) {
      ports.add(layout.workerPort() + i);
    }
    if (shennong) {
      for (int i = 1; i <= SHENNONG_MASTERS; i++) {
        ports.add(layout.shennongMasterPort(i));
        ports.add(layout.shennongMasterMetricsPort(i));
      }
      for (int i = 1; i <= MONITOR_SERVICES; i++) {
        ports.add(layout.monitorPort(i));
      }
      for (int i = 1; i <= ANALYSIS_SERVICES; i++) {
        ports.add(layout.analysisPort(i));
        ports.add(layout.analysisHttpPort(i));
      }
      ports.add(layout.shennongAgentPort());
      ports.add(layout.shennongAgentMetricsPort());
    }
    for (int port : ports) {
      requireFree(port);
    }
    try {
      prepare();
      startZooKeeper();
      for (int i = 1; i <= layout.masters(); i++) {
        startMaster(i);
      }
      for (int i = 1; i <= layout.workers(); i++) {
        startWorker(i);
      }
      writeState();
      awaitReady(READY_TIMEOUT);
      // Shennong once Fuxi is up: nothing waits for it, and its nine JVMs starting alongside Fuxi's
      // took the CPU Fuxi needed to come up within the wait on a loaded machine (then `local up`
      // failed and removed its state, and `local down` found no cluster: CliIT, docs/SHENNONG.md).
      if (shennong) {
        startShennong();
        writeState();
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      stop();
      throw e;
    }
    return members();
  }

  /** The directories, and the secrets of a secure cluster (those of an earlier secure one removed otherwise). */
  void prepare() throws IOException {
    Files.createDirectories(layout.logs());
    if (secure) {
      secrets = LocalSecrets.create(layout);
    } else {
      LocalSecrets.remove(layout.dir());
    }
  }

  private static void requireFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress("127.0.0.1", port));
    } catch (IOException e) {
      throw new IllegalStateException("port " + port + " on 127.0.0.1 is in use; choose other ports (see --help)");
    }
  }

  private void startZooKeeper() throws IOException, InterruptedException {
    Path data = layout.dir().resolve("zookeeper");
    Files.createDirectories(data);
    Path cfg = layout.dir().resolve("zoo.cfg");
    // A short tick allows short sessions, so a dead leader is noticed within seconds.
    Files.writeString(cfg, String.join("\n",
        "tickTime=500", "minSessionTimeout=1000", "maxSessionTimeout=60000",
        "dataDir=" + data, "clientPort=" + layout.zkPort(), "clientPortAddress=127.0.0.1",
        "admin.enableServer=false", "4lw.commands.whitelist=ruok,stat", "") );
    start("zookeeper", layout.zkConnect(), ZK_MAIN, List.of(cfg.toString()));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!accepts(layout.zkPort())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("ZooKeeper did not start; see " + layout.logs().resolve("zookeeper.log"));
      }
      Thread.sleep(100);
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** What every Feitian daemon is started with: the cluster, and when secure, paths to its security material. */
  private List<String> common() {
    List<String> args = new ArrayList<>(List.of(
        "--set", "feitian.zookeeper.connect=" + layout.zkConnect(),
        "--set", "feitian.zookeeper.session-timeout=2s",
        "--set", "feitian.cluster-name=" + CLUSTER_NAME,
        "--set", "feitian.shennong.agent=127.0.0.1:" + layout.shennongAgentPort()));
    LocalSecrets s = secrets;
    if (s != null) {
      args.addAll(s.daemonArgs());
    }
    return args;
  }

  private void startMaster(int i) throws IOException {
    int port = layout.masterPort() + i - 1;
    start("fuxi-master-" + i, "127.0.0.1:" + port, MASTER_MAIN, masterArgs(i));
  }

  /** The arguments of fuxi-master {@code i} (1-based). */
  List<String> masterArgs(int i) {
    int port = layout.masterPort() + i - 1;
    List<String> args = common();
    args.addAll(List.of("--set", "fuxi.master.bind=127.0.0.1", "--set", "fuxi.master.port=" + port));
    return args;
  }

  /**
   * Shennong for the machine: a master and its standby, and one agent and one inspector, however
   * many nodes the local cluster runs (they share the machine; the inspector reports every Feitian
   * process on it). Nothing waits for them: Fuxi does not need them.
   */
  private void startShennong() throws IOException {
    for (int i = 1; i <= SHENNONG_MASTERS; i++) {
      int port = layout.shennongMasterPort(i);
      List<String> args = common();
      args.addAll(List.of("--set", "shennong.master.bind=127.0.0.1", "--set", "shennong.master.port=" + port,
          "--set", "shennong.master.metrics.port=" + layout.shennongMasterMetricsPort(i)));
      start("shennong-master-" + i, "127.0.0.1:" + port, SHENNONG_MASTER_MAIN, args);
    }
    int port = layout.shennongAgentPort();
    List<String> args = common();
    args.addAll(List.of("--set", "shennong.agent.node-id=local", "--set", "shennong.agent.bind=127.0.0.1",
        "--set", "shennong.agent.port=" + port, "--set", "shennong.agent.metrics.port="
            + layout.shennongAgentMetricsPort()));
    start("shennong-agent", "127.0.0.1:" + port, SHENNONG_AGENT_MAIN, args);
    List<String> inspector = common();
    inspector.addAll(List.of("--set", "shennong.inspector.node-id=local"));
    // As bin/shennong-inspector: a small JVM, C1 only (docs/PERFORMANCE.md, "Inspector cost").
    start("shennong-inspector", "-", SHENNONG_INSPECTOR_MAIN, INSPECTOR_JVM, inspector);
    startMonitorServices();
    startAnalysisServices();
  }

  /** An analysis-service and its standby, each with its own data directory (the standby fetches the leader's snapshot). */
  private void startAnalysisServices() throws IOException {
    for (int i = 1; i <= ANALYSIS_SERVICES; i++) {
      int port = layout.analysisPort(i);
      List<String> args = common();
      args.addAll(List.of("--set", "shennong.analysis.bind=127.0.0.1", "--set", "shennong.analysis.port=" + port,
          "--set", "shennong.analysis.http.bind=127.0.0.1",
          "--set", "shennong.analysis.http.port=" + layout.analysisHttpPort(i),
          "--set", "shennong.analysis.data-dir=" + layout.dir().resolve("analysis-service-" + i)));
      start("analysis-service-" + i, "127.0.0.1:" + port, ANALYSIS_MAIN, args);
    }
  }

  /**
   * A monitor-service and its standby, with the rule directory {@code <dir>/monitor-rules}: made on
   * the first `local up` from the distribution's examples ($FEITIAN_CONF/monitor-rules), then left
   * as the operator edits it (`feitian alerts reload` after a change).
   */
  private void startMonitorServices() throws IOException {
    Path rules = layout.monitorRules();
    if (!Files.isDirectory(rules)) {
      Files.createDirectories(rules);
      String conf = System.getenv("FEITIAN_CONF");
      Path examples = conf == null ? null : Path.of(conf, "monitor-rules");
      if (examples != null && Files.isDirectory(examples)) {
        try (var files = Files.list(examples)) {
          for (Path f : files.filter(f -> f.toString().endsWith(".conf")).toList()) {
            Files.copy(f, rules.resolve(f.getFileName()));
          }
        }
      }
    }
    for (int i = 1; i <= MONITOR_SERVICES; i++) {
      int port = layout.monitorPort(i);
      List<String> args = common();
      args.addAll(List.of("--set", "shennong.monitor.bind=127.0.0.1", "--set", "shennong.monitor.port=" + port,
          "--set", "shennong.monitor.rules-dir=" + rules,
          "--set", "shennong.monitor.data-dir=" + layout.dir().resolve("monitor-service-" + i)));
      start("monitor-service-" + i, "127.0.0.1:" + port, MONITOR_MAIN, args);
    }
  }

  private void startWorker(int i) throws IOException {
    int port = layout.workerPort() + i - 1;
    start("task-worker-" + i, "127.0.0.1:" + port, WORKER_MAIN, workerArgs(i));
  }

  /** The arguments of task-worker {@code i} (1-based): node-i, on rack-1 or rack-2. */
  List<String> workerArgs(int i) {
    int port = layout.workerPort() + i - 1;
    String node = "node-" + i;
    List<String> args = common();
    args.addAll(List.of(
        "--set", "task-worker.node-id=" + node,
        "--set", "task-worker.rack=rack-" + (1 + (i - 1) % 2),
        "--set", "task-worker.bind=127.0.0.1", "--set", "task-worker.port=" + port,
        "--set", "task-worker.work-dir=" + layout.dir().resolve(node),
        "--set", "task-worker.resources.cpu-millis=" + layout.workerCpuMillis(),
        "--set", "task-worker.resources.memory-mib=" + layout.workerMemoryMib(),
        // The serial collector, as every local daemon: the workers share one machine's cores.
        "--set", "task-worker.thread-jvm-options=-XX:+UseSerialGC"));
    return args;
  }

  /** Starts task-worker {@code i} (1-based) again, e.g. after it was killed; the node id stays node-i. */
  public Member restartWorker(int i) throws IOException {
    return restart("task-worker-" + i, () -> startWorker(i));
  }

  /** Starts fuxi-master {@code i} (1-based) again, e.g. after it was killed; it joins the election as a standby. */
  public Member restartMaster(int i) throws IOException {
    return restart("fuxi-master-" + i, () -> startMaster(i));
  }

  private interface Starter {
    void start() throws IOException;
  }

  /** Forgets the daemon called {@code name}, starts its replacement, and records the new pid for `local down`. */
  private Member restart(String name, Starter starter) throws IOException {
    started.removeIf(s -> s.member().name().equals(name));
    starter.start();
    writeState();
    return started.get(started.size() - 1).member();
  }

  public List<Member> members() {
    return started.stream().map(Started::member).toList();
  }

  private void start(String name, String address, String mainClass, List<String> args) throws IOException {
    start(name, address, mainClass, List.of("-Xmx256m"), args);
  }

  private void start(String name, String address, String mainClass, List<String> jvmOptions, List<String> args)
      throws IOException {
    Path log = layout.logs().resolve(name + ".log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), mainClass));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("ZOO_LOG_DIR", layout.logs().toString());
    Process p = pb.start();
    started.add(new Started(new Member(name, address, p.pid(), log), p));
  }

  private void writeState() throws IOException {
    Properties props = new Properties();
    props.setProperty("up.pid", Long.toString(ProcessHandle.current().pid()));
    props.setProperty("zookeeper", layout.zkConnect());
    props.setProperty("pids", started.stream().map(s -> Long.toString(s.process().pid()))
        .collect(Collectors.joining(",")));
    try (var w = Files.newBufferedWriter(layout.dir().resolve(STATE_FILE))) {
      props.store(w, "feitian local cluster");
    }
  }

  private void awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer yet";
    FeitianClient.Options plain = FeitianClient.Options.defaults().withRetryWindow(Duration.ofSeconds(1));
    FeitianClient.Options options = credentials().map(c -> c.applyTo(plain)).orElse(plain);
    FeitianClient client = null;
    try {
      while (System.nanoTime() < deadline) {
        for (Started s : started) {
          if (!s.process().isAlive()) {
            throw new IllegalStateException(s.member().name() + " exited with status " + s.process().exitValue()
                + "; see " + s.member().log());
          }
        }
        try {
          // Made in the loop: on a loaded machine its ZooKeeper session can take longer than the
          // client's own connection timeout, and that is no reason to give up before the deadline.
          if (client == null) {
            client = new FeitianClient(new ClusterTarget.ZooKeeper(layout.zkConnect(), CLUSTER_NAME, "feitian"),
                options);
          }
          ClusterStatus s = client.cluster(c -> c.getClusterStatus(GetClusterStatusRequest.getDefaultInstance()));
          long alive = s.getNodesList().stream().filter(n -> n.getState() == NodeState.NODE_STATE_ALIVE).count();
          if (alive == layout.workers() && s.getMastersCount() == layout.masters()) {
            return;
          }
          last = alive + " of " + layout.workers() + " nodes, " + s.getMastersCount() + " of " + layout.masters()
              + " masters";
        } catch (RuntimeException e) {
          last = e.getMessage();
        }
        Thread.sleep(200);
      }
    } finally {
      if (client != null) {
        client.close();
      }
    }
    throw new IllegalStateException("the local cluster did not come up in " + timeout.toSeconds() + " s (" + last
        + "); logs are in " + layout.logs());
  }

  /** Stops every daemon this instance started (masters, then task-workers, then ZooKeeper) and their workers. */
  public void stop() {
    stopAll(layout.dir(), started.stream().map(s -> s.process().pid()).toList());
    try {
      Files.deleteIfExists(layout.dir().resolve(STATE_FILE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    LocalSecrets.remove(layout.dir());
  }

  /** Stops the local cluster recorded in {@code dir}; false if none was running. */
  public static boolean down(Path dir, PrintStream out) throws IOException {
    dir = dir.toAbsolutePath().normalize();
    Path state = dir.resolve(STATE_FILE);
    if (!Files.exists(state)) {
      return false;
    }
    Properties props = new Properties();
    try (var r = Files.newBufferedReader(state)) {
      props.load(r);
    }
    List<Long> pids = new ArrayList<>();
    for (String p : props.getProperty("pids", "").split(",")) {
      if (!p.isBlank()) {
        pids.add(Long.parseLong(p.strip()));
      }
    }
    long upPid = Long.parseLong(props.getProperty("up.pid", "-1"));
    // The foreground `local up` stops its cluster itself on SIGTERM; stopping directly as well is harmless.
    ProcessHandle.of(upPid).filter(h -> h.pid() != ProcessHandle.current().pid()).ifPresent(ProcessHandle::destroy);
    stopAll(dir, pids);
    Files.deleteIfExists(state);
    LocalSecrets.remove(dir);
    out.println("local cluster in " + dir + " stopped");
    return true;
  }

  /** The pid of a running `local up` (or of any daemon of its cluster) recorded in dir. */
  static Optional<Long> runningPid(Path dir) throws IOException {
    Path state = dir.resolve(STATE_FILE);
    if (!Files.exists(state)) {
      return Optional.empty();
    }
    Properties props = new Properties();
    try (var r = Files.newBufferedReader(state)) {
      props.load(r);
    }
    for (String p : props.getProperty("pids", "").split(",")) {
      if (!p.isBlank() && ProcessHandle.of(Long.parseLong(p.strip())).map(ProcessHandle::isAlive).orElse(false)) {
        return Optional.of(Long.parseLong(p.strip()));
      }
    }
    return Optional.empty();
  }

  /**
   * SIGTERM to the daemons in order (last started first, so ZooKeeper goes
   * last), SIGKILL after a grace period, then any worker process still
   * running under the cluster's directory (task-workers leave their workers
   * running on purpose; a local cluster going down should not).
   */
  private static void stopAll(Path dir, List<Long> pids) {
    List<ProcessHandle> handles = new ArrayList<>();
    for (int i = pids.size() - 1; i >= 0; i--) {
      ProcessHandle.of(pids.get(i)).ifPresent(handles::add);
    }
    for (ProcessHandle h : handles) {
      if (h.isAlive() && !isZooKeeper(h)) {
        h.destroy();
      }
    }
    awaitGone(handles.stream().filter(h -> !isZooKeeper(h)).toList(), Duration.ofSeconds(15));
    for (ProcessHandle h : handles) {
      if (isZooKeeper(h)) {
        h.destroy();
      }
    }
    awaitGone(handles, Duration.ofSeconds(10));
    for (ProcessHandle h : ProcessHandle.allProcesses().toList()) {
      if (h.pid() != ProcessHandle.current().pid() && runsUnder(h, dir)) {
        h.descendants().forEach(ProcessHandle::destroyForcibly);
        h.destroyForcibly();
      }
    }
  }

  private static boolean isZooKeeper(ProcessHandle h) {
    return h.info().commandLine().orElse("").contains(ZK_MAIN);
  }

  private static boolean runsUnder(ProcessHandle h, Path dir) {
    try {
      return Files.readSymbolicLink(Path.of("/proc", Long.toString(h.pid()), "cwd")).startsWith(dir);
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  private static void awaitGone(List<ProcessHandle> handles, Duration grace) {
    long deadline = System.nanoTime() + grace.toNanos();
    for (ProcessHandle h : handles) {
      while (h.isAlive() && System.nanoTime() < deadline) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      if (h.isAlive()) {
        h.destroyForcibly();
      }
    }
  }
}
