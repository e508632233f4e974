package io.feitian.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.feitian.client.cli.FeitianCli;
import io.feitian.dayu.agent.node.NodeLayout;
import io.feitian.dayu.agent.node.Supervisor;
import io.feitian.dayu.descriptor.ModuleDescriptor;
import io.feitian.dayu.descriptor.Template;
import io.feitian.examples.wordcount.Words;
import io.feitian.job.spec.JobSpecs;
import io.feitian.proto.fuxi.v1.ClusterStatus;
import io.feitian.proto.fuxi.v1.NodeStatus;
import io.feitian.testkit.FreePorts;
import io.feitian.testkit.NetHosts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dayu deploys Feitian itself onto six hosts (Linux network namespaces on one bridge, {@link NetHosts}
 * {@code fdf1..6}; needs root, as CI runs): the release packages of fuxi-master and task-worker that
 * `package` built (target/packages/, see ReleasePackagesIT) are published to a dayu-server started from
 * bin/, and deployed through `feitian dayu deploy` by a dayu-agent on each host: fuxi-master on three
 * (n1-n3), task-workers on the rest (n4-n6), each configured from the database (the cluster's
 * parameters, its node's id and rack); every daemon advertises its own host's address. Then a word
 * count runs on the cluster Dayu deployed, and n6 is scaled in (drained through fuxi-master, its
 * task-worker stopped, the node gone from the database). ZooKeeper and dayu-server listen on the
 * bridge (the test's own address on the hosts' network); the CLI runs there too: the operator's
 * commands (deploy, job submit, scale-in) through the tree's bin/feitian, the set-up and the polls
 * in the test's JVM. Every daemon is a launcher of the tree; the agents supervise the daemons (no
 * systemd here).
 */
class DayuDeploysFeitianIT {
  private static final String CLUSTER = "dayu-self";
  private static final List<String> MODULES = List.of("fuxi-master", "task-worker");
  /** Host i of {@link #hosts} is NODES[i-1]. The roles are the descriptors': fuxi-master's {@code master}, task-worker's {@code worker}. */
  private static final List<Node> NODES = List.of(new Node("n1", "r1", "master"), new Node("n2", "r2", "master"),
      new Node("n3", "r3", "master"), new Node("n4", "r1", "worker"), new Node("n5", "r2", "worker"),
      new Node("n6", "r2", "worker"));
  private static final List<Node> WORKERS = NODES.subList(3, NODES.size());
  /** Every host has its own address: the same ports on each. */
  private static final int MASTER_PORT = 7100;
  private static final int WORKER_PORT = 7200;
  private static final Duration CLI = Duration.ofSeconds(60);
  private static final Duration DEADLINE = Duration.ofSeconds(90);
  /**
   * For ZooKeeper, dayu-server and the agents: fourteen JVMs share two cores, and these need neither
   * C2 nor a parallel collector (the modules the agents start run with their launchers' defaults).
   */
  private static final Map<String, String> LIGHT_JVM =
      Map.of("FEITIAN_JAVA_OPTS", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k");

  private record Node(String host, String rack, String role) {}

  @TempDir
  Path dir;
  private NetHosts hosts;
  /** ZooKeeper and dayu-server, then the agents: stopped in reverse order. */
  private final List<Process> daemons = new ArrayList<>();
  private int zkPort;
  private int dayuPort;

  @BeforeAll
  static void built() {
    Dist.assertBuilt();
  }

  @AfterEach
  void tearDown() throws Exception {
    // Agents first, so that none starts a module again; the modules outlive them and are stopped
    // through their pid files, as a new agent would; then dayu-server and ZooKeeper.
    for (int i = daemons.size() - 1; i >= 0; i--) {
      stop(daemons.get(i));
      if (i == 2) {
        for (Node n : NODES) {
          for (String module : MODULES) {
            new Supervisor(new NodeLayout(root(n.host()))).stop(module, Duration.ofSeconds(10));
          }
        }
      }
    }
    if (hosts != null) {
      hosts.close();
    }
  }

  private static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(15, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
    }
  }

  private Path root(String host) {
    return dir.resolve("agents").resolve(host);
  }

  @Test
  void dayuDeploysFuxiMasterAndTaskWorkersAndAJobRunsOnThem() throws Exception {
    for (String module : MODULES) {
      checkDescriptor(module);
    }
    hosts = NetHosts.create("fdf", 216, NODES.size());
    String gateway = hosts.gatewayAddress();
    int base = FreePorts.block(2);
    zkPort = base;
    dayuPort = base + 1;

    startZooKeeper();
    daemon("dayu-server", "--set", "dayu.server.bind=" + gateway, "--set", "dayu.server.port=" + dayuPort,
        "--set", "dayu.data-dir=" + dir.resolve("dayu-data"));
    awaitPort(dayuPort, "dayu-server");

    dayu("cluster", "add", CLUSTER, "-d", "Feitian deployed by Dayu");
    NODES.forEach(n -> dayu("node", "add", "-c", CLUSTER, n.host(), "--rack", n.rack(), "--roles", n.role()));
    for (String module : MODULES) {
      dayu("module", "publish", Dist.releasePackage(module).toString());
    }
    String zk = gateway + ":" + zkPort;
    dayu("params", "set", "-c", CLUSTER, "fuxi-master", "cluster-name=" + CLUSTER, "zookeeper=" + zk,
        "port=" + MASTER_PORT, "-m", "the test's cluster");
    dayu("params", "set", "-c", CLUSTER, "task-worker", "cluster-name=" + CLUSTER, "zookeeper=" + zk,
        "port=" + WORKER_PORT, "-m", "the test's cluster");
    for (Node n : WORKERS) {
      // The hosts share this machine's file system: each worker its own work directory.
      dayu("params", "set", "-c", CLUSTER, "task-worker", "--node", n.host(),
          "work-dir=" + dir.resolve("work").resolve(n.host()), "-m", "hosts sharing a file system");
    }

    for (int h = 1; h <= NODES.size(); h++) {
      Node n = NODES.get(h - 1);
      // The piece server on the host's address, so that the agents fetch the packages from each other.
      daemonOn(h, "dayu-agent", "--set", "dayu.agent.server=" + gateway + ":" + dayuPort,
          "--set", "dayu.agent.cluster=" + CLUSTER, "--set", "dayu.agent.host=" + n.host(),
          "--set", "dayu.agent.root=" + root(n.host()), "--set", "dayu.agent.peer.bind=" + hosts.address(h),
          "--set", "dayu.agent.reconnect-backoff=100ms", "--set", "dayu.agent.reconnect-backoff-max=1s");
    }
    // Every agent checked in (the node's state leaves NEW) before the rollout is planned.
    await("the agents to register", () -> !dayu("node", "list", "-c", CLUSTER).stdout().contains("NEW"));

    Dist.Result deploy = dayuFromBin("deploy", "-c", CLUSTER, "fuxi-master=" + Dist.RELEASE, "task-worker=" + Dist.RELEASE,
        "--batch", "100%", "--min-healthy", "0s", "--default-max-unavailable", "2", "--yes", "--wait");
    assertThat(deploy.stdout()).as(deploy.toString()).contains("SUCCEEDED");

    // Each node runs its module from the version directory its agent installed, configured for it.
    for (Node n : NODES.subList(0, 3)) {
      assertRunsFromItsInstall(n.host(), "fuxi-master");
    }
    for (Node n : WORKERS) {
      Path conf = assertRunsFromItsInstall(n.host(), "task-worker").resolve("conf/task-worker.conf");
      assertThat(Files.readString(conf)).contains("node-id = \"" + n.host() + "\"")
          .contains("rack = \"" + n.rack() + "\"")
          .contains("port = " + WORKER_PORT)
          .contains("work-dir = \"" + dir.resolve("work").resolve(n.host()) + "\"");
    }
    String[] target = {"--cluster", "zk://" + zk, "--cluster-name", CLUSTER};
    List<String> workerHosts = WORKERS.stream().map(Node::host).toList();
    ClusterStatus[] seen = {ClusterStatus.getDefaultInstance()};
    await("the task-workers to join the master and three masters to run", () -> {
      seen[0] = fuxiStatus(target);
      return seen[0].getMastersCount() == 3 && seen[0].getNodesList().stream().map(NodeStatus::getNodeId).toList()
          .containsAll(workerHosts);
    });
    ClusterStatus status = seen[0];
    // fuxi-master places them in the racks the configuration database holds (rendered into their conf by Dayu).
    assertThat(status.getNodesList().stream().collect(Collectors.toMap(NodeStatus::getNodeId, NodeStatus::getRack)))
        .isEqualTo(WORKERS.stream().collect(Collectors.toMap(Node::host, Node::rack)));
    // Every daemon advertises its own host: the masters (elected through ZooKeeper) and the nodes.
    assertThat(status.getMastersList()).extracting(m -> m.getAddress().substring(0, m.getAddress().lastIndexOf(':')))
        .containsExactlyInAnyOrder(hosts.address(1), hosts.address(2), hosts.address(3));
    for (NodeStatus node : status.getNodesList()) {
      int h = NODES.stream().map(Node::host).toList().indexOf(node.getNodeId()) + 1;
      assertThat(node.getAddress()).as("node %s advertises its own host", node.getNodeId())
          .isEqualTo(hosts.address(h) + ":" + WORKER_PORT);
    }

    // The archive's word count, its output under the test's directory, on the cluster Dayu deployed.
    Path examples = Dist.HOME.resolve("examples/jobs");
    Path job = dir.resolve("wordcount.json");
    Path out = dir.resolve("out");
    Files.writeString(job, JobSpecs.toJson(JobSpecs.resolvePaths(
        JobSpecs.fromJson(Files.readString(examples.resolve("wordcount.json"))), examples, dir).toBuilder()
        .setOutputDir(out.toString()).build()));
    Dist.Result run = feitian(concat(List.of("job", "submit", job.toString(), "--wait"), target),
        Duration.ofSeconds(120));
    assertThat(run.exit()).as(run + diagnostics()).isZero();
    assertThat(counted(out.resolve("count"))).isEqualTo(wordCounts(Dist.HOME.resolve("examples/data/text")));

    // Scale-in of n6: its agent drains the node through fuxi-master (the job is over: nothing to
    // wait for), stops the task-worker, and the node leaves the configuration database.
    Dist.Result scaleIn = dayuFromBin("scale-in", "-c", CLUSTER, "--node", "n6", "--batch", "100%", "--min-healthy", "0s",
        "--default-max-unavailable", "2", "--yes", "--wait");
    assertThat(scaleIn.stdout()).as(scaleIn.toString()).contains("SUCCEEDED");
    assertThat(new Supervisor(new NodeLayout(root("n6"))).running("task-worker")).as("n6's task-worker").isEmpty();
    assertThat(dayu("node", "list", "-c", CLUSTER).stdout()).contains("n5").doesNotContain("n6");
    assertThat(fuxiNodes(target)).filteredOn(NodeStatus::getDraining).extracting(NodeStatus::getNodeId)
        .as("the nodes fuxi-master holds as draining").containsExactly("n6");
  }

  /** The nodes fuxi-master knows; none while no master answers. */
  private static List<NodeStatus> fuxiNodes(String[] target) {
    return fuxiStatus(target).getNodesList();
  }

  /** `feitian cluster status`; empty while no master answers. */
  private static ClusterStatus fuxiStatus(String[] target) {
    Dist.Result status = feitianHere(concat(List.of("cluster", "status", "--json"), target));
    if (status.exit() != 0) {
      return ClusterStatus.getDefaultInstance();
    }
    ClusterStatus.Builder parsed = ClusterStatus.newBuilder();
    try {
      JsonFormat.parser().merge(status.stdout(), parsed);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("feitian cluster status --json printed no ClusterStatus: " + status, e);
    }
    return parsed.build();
  }

  /** The descriptor in {@code module}'s release package has what this test sets (its name and version: ReleasePackagesIT). */
  private static void checkDescriptor(String module) {
    ModuleDescriptor d = Dist.packagedDescriptor(module);
    assertThat(d.parameters()).containsKeys("cluster-name", "zookeeper", "port");
    String templates = d.templates().stream().map(Template::text).collect(Collectors.joining());
    assertThat(templates).contains("{{cluster-name}}", "{{zookeeper}}", "{{port}}");
    if (module.equals("task-worker")) {
      assertThat(d.roles()).containsExactly("worker");
      assertThat(d.parameters()).containsKey("work-dir");
      assertThat(templates).contains("{{node.id}}", "{{node.rack}}", "{{work-dir}}");
    } else {
      assertThat(d.roles()).containsExactly("master");
    }
  }

  /** The module runs on the node, from the version directory `current` names; that directory. */
  private Path assertRunsFromItsInstall(String host, String module) throws IOException {
    NodeLayout layout = new NodeLayout(root(host));
    Path home = layout.current(module).toRealPath();
    assertThat(home.getFileName()).hasToString(Dist.RELEASE);
    assertThat(new Supervisor(layout).running(module)).as("%s on %s%s", module, host, diagnostics()).isPresent();
    return home;
  }

  private void startZooKeeper() throws IOException {
    Path cfg = dir.resolve("zoo.cfg");
    Files.writeString(cfg, String.join("\n", "tickTime=2000", "dataDir=" + dir.resolve("zk-data"),
        "clientPort=" + zkPort, "clientPortAddress=" + hosts.gatewayAddress(), "admin.enableServer=false", ""));
    daemon("zookeeper", cfg.toString());
    awaitPort(zkPort, "ZooKeeper");
  }

  /** Starts bin/{@code program} on the bridge, its output in the test's directory. */
  private void daemon(String program, String... args) throws IOException {
    start(program, concat(List.of(Dist.bin(program).toString()), args));
  }

  /** Starts bin/{@code program} on host {@code h}. */
  private void daemonOn(int h, String program, String... args) throws IOException {
    start(program, hosts.on(h, concat(List.of(Dist.bin(program).toString()), args)));
  }

  private void start(String program, List<String> command) throws IOException {
    Path log = dir.resolve("logs").resolve(program + "-" + daemons.size() + ".log");
    Files.createDirectories(log.getParent());
    daemons.add(Dist.builder(command, LIGHT_JVM).redirectErrorStream(true).redirectOutput(log.toFile()).start());
  }

  /** `feitian dayu ARGS -s dayu-server` in this JVM (see {@link #feitianHere}); it must succeed. */
  private Dist.Result dayu(String... args) {
    return succeeded(args, feitianHere(dayuCommand(args)));
  }

  /** `feitian dayu ARGS -s dayu-server` through the tree's bin/feitian, as an operator runs it; it must succeed. */
  private Dist.Result dayuFromBin(String... args) {
    return succeeded(args, feitian(dayuCommand(args), CLI));
  }

  private List<String> dayuCommand(String... args) {
    List<String> command = concat(List.of("dayu"), args);
    command.addAll(List.of("-s", hosts.gatewayAddress() + ":" + dayuPort));
    return command;
  }

  private Dist.Result succeeded(String[] args, Dist.Result r) {
    assertThat(r.exit()).as("feitian dayu %s\n%s%s", String.join(" ", args), r, diagnostics()).isZero();
    return r;
  }

  private static Dist.Result feitian(List<String> args, Duration timeout) {
    List<String> command = new ArrayList<>(List.of(Dist.bin("feitian").toString()));
    command.addAll(args);
    return Dist.run(command, Map.of(), timeout);
  }

  /**
   * The CLI in this JVM: for the set-up and the polls, which through bin/feitian would start a JVM
   * each (a second or two of the two cores the daemons are starting on, some twenty times). The
   * operator's own commands (deploy, job submit, scale-in) run the tree's bin/feitian.
   */
  private static Dist.Result feitianHere(List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = FeitianCli.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), args.toArray(String[]::new));
    return new Dist.Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private void awaitPort(int port, String what) {
    await(what + " to listen on " + port, () -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(hosts.gatewayAddress(), port), 500);
        return true;
      } catch (IOException e) {
        return false;
      }
    });
  }

  private void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited %s for %s%s", DEADLINE, what, diagnostics()).isLessThan(deadline);
      assertThat(daemons).as("a daemon ended while waiting for %s%s", what, diagnostics()).allMatch(Process::isAlive);
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  /** The end of every log in the test's directory: the daemons' and the modules' the agents started. */
  private String diagnostics() {
    StringBuilder b = new StringBuilder();
    try (Stream<Path> logs = Files.walk(dir)) {
      for (Path log : logs.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
        List<String> lines = Files.readAllLines(log);
        b.append("\n--- ").append(dir.relativize(log)).append('\n')
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
      }
    } catch (IOException | UncheckedIOException e) {
      b.append("\n(logs unreadable: ").append(e).append(')');
    }
    return b.toString();
  }

  /** word -> count from the part files' "word TAB count" lines. */
  private static Map<String, Long> counted(Path taskOutput) throws IOException {
    Map<String, Long> counts = new HashMap<>();
    try (Stream<Path> parts = Files.list(taskOutput)) {
      for (Path part : parts.filter(f -> f.getFileName().toString().startsWith("part-")).toList()) {
        for (String line : Files.readAllLines(part)) {
          String[] kv = line.split("\t");
          assertThat(counts.put(kv[0], Long.parseLong(kv[1]))).as("word %s output twice", kv[0]).isNull();
        }
      }
    }
    return counts;
  }

  private static Map<String, Long> wordCounts(Path text) throws IOException {
    Map<String, Long> counts = new HashMap<>();
    try (Stream<Path> files = Files.list(text)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.readAllLines(f).forEach(line -> Words.split(line).forEach(w -> counts.merge(w, 1L, Long::sum)));
      }
    }
    return counts;
  }

  private static List<String> concat(List<String> first, String... rest) {
    List<String> all = new ArrayList<>(first);
    all.addAll(List.of(rest));
    return all;
  }
}
