package io.feitian.it;

import static org.awaitility.Awaitility.await;

import io.feitian.client.ClusterTarget;
import io.feitian.client.FeitianClient;
import io.feitian.proto.fuxi.v1.ClusterStatus;
import io.feitian.proto.fuxi.v1.GetClusterStatusRequest;
import io.feitian.proto.fuxi.v1.NodeState;
import io.feitian.testkit.ChildJvm;
import io.feitian.testkit.NetHosts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/**
 * A cluster of real processes on loopback for integration tests: an
 * in-process ZooKeeper server (short tick so short sessions are allowed),
 * fuxi-masters and task-workers as separate JVMs that tests can kill -9.
 */
final class TestCluster implements AutoCloseable {
  static final String MASTER_MAIN = "io.feitian.fuxi.master.FuxiMasterMain";
  static final String WORKER_MAIN = "io.feitian.taskworker.TaskWorkerMain";

  final Path dir;
  final TestingServer zk;
  final Map<String, Process> masters = new LinkedHashMap<>();
  final Map<String, Process> workers = new LinkedHashMap<>();
  private final List<String> extraArgs = new ArrayList<>();
  private FeitianClient client;
  private FeitianClient.Options clientOptions = FeitianClient.Options.defaults().withRetryWindow(Duration.ofSeconds(20));
  private int masterSeq;

  /** Where daemons run: null for loopback, else one network namespace per host. */
  private final NetHosts hosts;

  TestCluster(Path dir) throws Exception {
    this(dir, null);
  }

  /**
   * A cluster whose daemons run on {@code hosts} ({@link #startMasterOn}, {@link #startWorkerOn}), bound to every
   * interface and reaching ZooKeeper (in this JVM) through the hosts' gateway, as on separate machines.
   */
  TestCluster(Path dir, NetHosts hosts) throws Exception {
    this.dir = dir;
    this.hosts = hosts;
    this.zk = new TestingServer(new InstanceSpec(dir.resolve("zk").toFile(), -1, -1, -1, true, -1, 200, -1), true);
  }

  /** The ZooKeeper connect string the daemons and the test's client use. */
  String zkConnect() {
    return hosts == null ? zk.getConnectString() : hosts.gatewayAddress() + ":" + zk.getPort();
  }

  /** One fuxi-master and task-workers tw-1..tw-N (racks alternating), all registered. */
  static TestCluster withNodes(Path dir, int nodes) throws Exception {
    TestCluster c = new TestCluster(dir);
    c.startMaster();
    for (int i = 1; i <= nodes; i++) {
      c.startWorker("tw-" + i, "rack-" + (i % 2));
    }
    c.awaitAliveNodes(nodes);
    return c;
  }

  /** How the test's client connects (e.g. with TLS and a token). */
  TestCluster withClientOptions(FeitianClient.Options options) {
    this.clientOptions = options;
    return this;
  }

  /** Settings every daemon of this cluster gets (e.g. security). */
  TestCluster withArgs(String... args) {
    extraArgs.addAll(List.of(args));
    return this;
  }

  /**
   * The shipped session timeout (4 s). With 2 s, a job starting a dozen worker JVMs on the one core
   * a loaded machine leaves starved this JVM's ZooKeeper long enough that every daemon lost its
   * session again and again for two minutes (JobFaultsIT, runs 4 and 5 of a loop under load):
   * leaders churned and a test's retry window ran out. Failover tests wait 2 s longer instead.
   */
  private List<String> common() {
    List<String> a = new ArrayList<>(List.of(
        "--set", "feitian.zookeeper.connect=" + zkConnect(),
        "--set", "feitian.zookeeper.session-timeout=4s",
        "--set", "feitian.cluster-name=it"));
    a.addAll(extraArgs);
    return a;
  }

  /** Starts a fuxi-master; returns its name (its log is dir/NAME.log). {@code extra} settings override the defaults. */
  String startMaster(String... extra) {
    return startMasterOn(0, extra);
  }

  /** Starts a fuxi-master on host {@code host} of the cluster's hosts (0: loopback); returns its name. */
  String startMasterOn(int host, String... extra) {
    String name = "master-" + (++masterSeq);
    List<String> args = common();
    args.addAll(List.of("--set", "fuxi.master.port=0", "--set", "fuxi.master.heartbeat-interval=300ms",
        "--set", "fuxi.master.node-timeout=3s", "--set", "fuxi.master.recovery-window=2s",
        "--set", "fuxi.master.child-master.backoff-initial=200ms", "--set", "fuxi.master.bind=" + bind(host)));
    args.addAll(List.of(extra));
    masters.put(name, start(host, ChildJvm.of(MASTER_MAIN).args(args.toArray(String[]::new)), name));
    return name;
  }

  Process startWorker(String nodeId, String rack, String... extra) {
    return startWorkerOn(0, nodeId, rack, extra);
  }

  /** Starts a task-worker on host {@code host} of the cluster's hosts (0: loopback). */
  Process startWorkerOn(int host, String nodeId, String rack, String... extra) {
    List<String> args = common();
    args.addAll(List.of(extra));
    args.addAll(List.of("--set", "task-worker.node-id=" + nodeId, "--set", "task-worker.rack=" + rack,
        "--set", "task-worker.port=0", "--set", "task-worker.work-dir=" + dir.resolve(nodeId),
        "--set", "task-worker.resources.cpu-millis=4000", "--set", "task-worker.resources.memory-mib=4096",
        "--set", "task-worker.reconnect-backoff=100ms", "--set", "task-worker.bind=" + bind(host),
        "--set", "task-worker.thread-jvm-options=" + String.join(" ", ChildJvm.LIGHT_OPTIONS)));
    Process p = start(host, ChildJvm.of(WORKER_MAIN).args(args.toArray(String[]::new)), nodeId);
    workers.put(nodeId, p);
    return p;
  }

  /** On a host of its own a daemon listens on every interface and advertises the one that reaches ZooKeeper. */
  private static String bind(int host) {
    return host == 0 ? "127.0.0.1" : "0.0.0.0";
  }

  private Process start(int host, ChildJvm jvm, String name) {
    if (host != 0) {
      jvm.launchedBy(hosts.on(host, List.of()));
    }
    return jvm.log(dir.resolve(name + ".log")).start();
  }

  /** A whole node dies: its task-worker and every worker it started (kill -9). */
  void killNode(String nodeId) {
    Process p = workers.remove(nodeId);
    p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
    ChildJvm.kill9(p);
  }

  FeitianClient client() {
    if (client == null) {
      client = new FeitianClient(new ClusterTarget.ZooKeeper(zkConnect(), "it", "feitian"),
          clientOptions);
    }
    return client;
  }

  ClusterStatus status() {
    return client().cluster(s -> s.getClusterStatus(GetClusterStatusRequest.getDefaultInstance()));
  }

  /** Waits until the leader sees exactly these alive nodes. */
  ClusterStatus awaitAliveNodes(int count) {
    ClusterStatus[] last = new ClusterStatus[1];
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      try {
        last[0] = status();
      } catch (RuntimeException e) {
        return false;
      }
      return last[0].getNodesList().stream().filter(n -> n.getState() == NodeState.NODE_STATE_ALIVE).count() == count;
    });
    return last[0];
  }

  /** The name of the master process that leads now (from its log line "leading as ADDRESS"). */
  String leaderName() {
    String leader = status().getLeaderAddress();
    for (String name : masters.keySet()) {
      if (log(name).contains("leading as " + leader + " ")) {
        return name;
      }
    }
    throw new IllegalStateException("no master log says it leads as " + leader);
  }

  String log(String name) {
    try {
      return Files.readString(dir.resolve(name + ".log"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws Exception {
    if (client != null) {
      client.close();
    }
    List<Process> all = new ArrayList<>(masters.values());
    all.addAll(workers.values());
    for (Process p : all) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      ChildJvm.kill9(p);
    }
    // Workers started by task-workers are not their JVMs' descendants once re-parented: kill by work dir.
    for (ProcessHandle h : ProcessHandle.allProcesses().toList()) {
      String cmd = h.info().commandLine().orElse("");
      if (cmd.contains(dir.toString())) {
        h.descendants().forEach(ProcessHandle::destroyForcibly);
        h.destroyForcibly();
      }
    }
    zk.close();
  }
}
