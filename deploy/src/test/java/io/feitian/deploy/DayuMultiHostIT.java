package io.feitian.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.feitian.common.grpc.FutureObserver;
import io.feitian.dayu.agent.node.NodeLayout;
import io.feitian.dayu.agent.node.Supervisor;
import io.feitian.dayu.launcher.LauncherFiles;
import io.feitian.dayu.launcher.LauncherState;
import io.feitian.dayu.launcher.RunningAgent;
import io.feitian.dayu.packages.ReleasePackage;
import io.feitian.proto.dayu.v1.AddClusterRequest;
import io.feitian.proto.dayu.v1.AddNodeRequest;
import io.feitian.proto.dayu.v1.DayuServiceGrpc;
import io.feitian.proto.dayu.v1.GetClusterInfoRequest;
import io.feitian.proto.dayu.v1.GetRolloutRequest;
import io.feitian.proto.dayu.v1.GetTransferStatsRequest;
import io.feitian.proto.dayu.v1.ListClustersRequest;
import io.feitian.proto.dayu.v1.ModuleVersion;
import io.feitian.proto.dayu.v1.NodeInfo;
import io.feitian.proto.dayu.v1.NodeTaskInfo;
import io.feitian.proto.dayu.v1.PackageHeader;
import io.feitian.proto.dayu.v1.ParamChange;
import io.feitian.proto.dayu.v1.ParamScope;
import io.feitian.proto.dayu.v1.PieceServiceGrpc;
import io.feitian.proto.dayu.v1.RolloutBatch;
import io.feitian.proto.dayu.v1.RolloutInfo;
import io.feitian.proto.dayu.v1.RolloutKind;
import io.feitian.proto.dayu.v1.RolloutServiceGrpc;
import io.feitian.proto.dayu.v1.RolloutStrategy;
import io.feitian.proto.dayu.v1.SetParamsRequest;
import io.feitian.proto.dayu.v1.StartRolloutRequest;
import io.feitian.proto.dayu.v1.TransferStats;
import io.feitian.proto.dayu.v1.UploadPackageChunk;
import io.feitian.testkit.ChildJvm;
import io.feitian.testkit.FreePorts;
import io.feitian.testkit.NetHosts;
import io.feitian.testkit.SamplePackages;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dayu on six hosts (Linux network namespaces on one bridge, {@link NetHosts} {@code fdy1..6},
 * subnet 10.214.0.0/24, racks r1 to r3 of two hosts each): dayu-server (H2) from the built tree's
 * {@code bin/} on the bridge's address in the test's own namespace, and on each host the tree's
 * {@code bin/dayu-agent-launcher} (through {@code ip netns exec}) running {@code bin/dayu-agent},
 * whose piece server binds and advertises the host's address. One cluster for the whole class;
 * the scenarios run in order, each starting where the previous one left the hosts:
 * <ol>
 *   <li>module {@code sample} (a real HTTP server, about 3 MB of package, 128 KiB pieces) is
 *       deployed at 1.0.0 and upgraded to 2.0.0 on every host, peer to peer: the agents' transfer
 *       counters show pieces coming from peers and served by agents, and dayu-server sending at
 *       most half a copy per host;
 *   <li>a host cut off from the network during the upgrade to 2.1.0 is counted away, the rollout
 *       goes on without it, and the host is brought to 2.1.0 once it is joined again;
 *   <li>3.0.0, whose health check fails, stops the rollout at its first batch and is rolled back;
 *   <li>dayu-agent upgrades itself to 2.0.0 on every host, then a 3.0.0 that exits at start is
 *       reverted by every launcher and rolled back: every host ends running 2.0.0, registered.
 * </ol>
 * Every wait has a deadline and says what it saw last; the daemons' logs are under the printed
 * directory, which is kept when the class fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DayuMultiHostIT {
  private static final String CLUSTER = "hosts";
  private static final int HOSTS = 6;
  private static final String SAMPLE = "sample";
  private static final int SAMPLE_PORT = 8080;
  private static final int PEER_PORT = 7500;
  private static final String PIECE_SIZE = "128KiB";
  /** Base64 characters of filler: a package of about 3 MB, 23 pieces of 128 KiB. */
  private static final int FILLER = 4_000_000;
  /** The trial window of the launchers: six agent JVMs start at once on two cores. */
  private static final String TRIAL_WINDOW = "90s";
  private static final Duration SETUP = Duration.ofSeconds(90);
  private static final Duration ROLLOUT = Duration.ofSeconds(120);
  private static final Duration CALL = Duration.ofSeconds(10);
  private static final Set<String> ENDED = Set.of("SUCCEEDED", "FAILED", "ABORTED", "ROLLED_BACK");
  /** Small heaps, no C2: thirteen JVMs share two cores. */
  private static final String JVM_OPTS = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k";

  /** Static: JUnit fills in a class's temporary directory before @BeforeAll only for a static field. */
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path dir;
  private NetHosts hosts;
  private Process server;
  private final Map<Integer, Process> launchers = new TreeMap<>();
  private final Map<Integer, ManagedChannel> peerChannels = new TreeMap<>();
  private ManagedChannel channel;
  private String serverAddress;
  /** Package sizes by module@version. */
  private final Map<String, Integer> sizes = new LinkedHashMap<>();
  private final long t0 = System.nanoTime();
  private Random random;

  @BeforeAll
  void startTheHosts() throws Exception {
    Dist.assertBuilt();
    long seed = Long.getLong("hosts.seed", System.nanoTime());
    random = new Random(seed);
    System.out.println("DayuMultiHostIT: seed " + seed + " (replay with -Dhosts.seed=" + seed + "); logs in "
        + dir.resolve("logs") + ", agent roots in " + dir.resolve("hosts") + " (kept if the class fails)");
    Files.createDirectories(dir.resolve("logs"));
    hosts = NetHosts.create("fdy", 214, HOSTS);
    int port = FreePorts.one();
    serverAddress = hosts.gatewayAddress() + ":" + port;
    server = daemon("dayu-server", List.of(Dist.bin("dayu-server").toString(),
        "--set", "dayu.server.bind=" + hosts.gatewayAddress(), "--set", "dayu.server.port=" + port,
        "--set", "dayu.data-dir=" + dir.resolve("dayu-data"), "--set", "dayu.server.p2p.piece-size=" + PIECE_SIZE,
        "--set", "dayu.rollouts.agent-grace=5s"), "FEITIAN_DAYU_SERVER_JAVA_OPTS", "-Xmx192m " + JVM_OPTS);
    await("dayu-server to listen on " + serverAddress, SETUP, () -> listening(hosts.gatewayAddress(), port), ok -> ok);
    channel = ManagedChannelBuilder.forTarget(serverAddress).usePlaintext().build();
    await("dayu-server to lead", SETUP, this::leading, ok -> ok);

    dayu().addCluster(AddClusterRequest.newBuilder().setName(CLUSTER).build());
    for (int i = 1; i <= HOSTS; i++) {
      dayu().addNode(AddNodeRequest.newBuilder().setCluster(CLUSTER).setHost(host(i)).setRack(rack(i))
          .addRoles("worker").build());
    }
    for (int i = 1; i <= HOSTS; i++) {
      startLauncher(i);
      peerChannels.put(i, ManagedChannelBuilder.forTarget(hosts.address(i) + ":" + PEER_PORT).usePlaintext().build());
    }
    for (int i = 1; i <= HOSTS; i++) {
      awaitAgent(i, LauncherState.BASE, SETUP);
    }
    step("six agents registered, each through its launcher");
  }

  @AfterAll
  void stopTheHosts() throws Exception {
    // Launchers first (SIGTERM: each stops its agent), then what the agents started, then the hosts.
    for (Process l : launchers.values()) {
      l.destroy();
    }
    for (Process l : launchers.values()) {
      if (!l.waitFor(20, TimeUnit.SECONDS)) {
        ChildJvm.kill9(l);
      }
    }
    for (int i = 1; i <= HOSTS; i++) {
      if (Files.isDirectory(root(i))) {
        new Supervisor(new NodeLayout(root(i))).stop(SAMPLE, Duration.ofSeconds(5));
      }
    }
    peerChannels.values().forEach(ManagedChannel::shutdownNow);
    if (channel != null) {
      channel.shutdownNow();
    }
    if (hosts != null) {
      hosts.close();
    }
    if (server != null) {
      server.destroy();
      if (!server.waitFor(20, TimeUnit.SECONDS)) {
        ChildJvm.kill9(server);
      }
    }
    step("stopped");
  }

  @Test
  @Order(1)
  void aSampleModuleIsDeployedAndUpgradedOnEveryHostPeerToPeer() throws Exception {
    publish(SAMPLE, "1.0.0", SamplePackages.serving(SAMPLE, "1.0.0", "health", FILLER));
    publish(SAMPLE, "2.0.0", SamplePackages.serving(SAMPLE, "2.0.0", "health", FILLER));
    // Every host's own 127.0.0.1: one port for all of them.
    dayu().setParams(SetParamsRequest.newBuilder().setCluster(CLUSTER).setAuthor("test").setReason("the test's port")
        .addChanges(ParamChange.newBuilder().setModule(SAMPLE).setScope(ParamScope.PARAM_SCOPE_MODULE)
            .setKey("port").setValue(Integer.toString(SAMPLE_PORT)))
        .build());
    for (String version : List.of("1.0.0", "2.0.0")) {
      Map<Integer, TransferStats> before = stats();
      // One host first (from dayu-server, the only holder), then the other five at once.
      RolloutInfo r = rollout(version.equals("1.0.0") ? RolloutKind.DEPLOY : RolloutKind.UPGRADE, SAMPLE, version,
          strategy("1", "100%").setDefaultMaxUnavailable("100%"));
      assertThat(r.getState()).as("%s", describe(r)).isEqualTo("SUCCEEDED");
      for (int i = 1; i <= HOSTS; i++) {
        awaitServing(i, version);
      }
      assertPeerToPeer(SAMPLE + "@" + version, before, stats());
      step(SAMPLE + " " + version + " on every host");
    }
  }

  @Test
  @Order(2)
  void aHostCutOffDuringARolloutIsBroughtToTheVersionOnceItIsBack() throws Exception {
    publish(SAMPLE, "2.1.0", SamplePackages.serving(SAMPLE, "2.1.0", "health", FILLER));
    RolloutInfo started = start(RolloutKind.UPGRADE, SAMPLE, "2.1.0", strategy("2").setDefaultMaxUnavailable("2"));
    // A host of the last batch: cut before its turn, it is still a host the rollout must change.
    List<RolloutBatch> batches = started.getPhases(0).getBatchesList();
    List<String> last = batches.get(batches.size() - 1).getHostsList();
    String victimHost = last.get(random.nextInt(last.size()));
    int victim = index(victimHost);
    hosts.cut(victim);
    step("cut " + victimHost + " (" + hosts.address(victim) + ") off, rollout " + started.getId() + " under way");
    try {
      // Docs ("Decisions where the issue was silent", "Rollouts through the server"): a node whose
      // agent has no Watch for the grace is away, its task deferred; the rollout goes on without it
      // and ends SUCCEEDED with a repair pending.
      RolloutInfo done = awaitRollout(started.getId(), "to succeed without the cut host " + victimHost,
          r -> r.getState().equals("SUCCEEDED") && r.getRepairsPending());
      assertThat(task(done, victimHost, "FORWARD").getState()).as("%s", describe(done)).isEqualTo("DEFERRED");
      for (int i = 1; i <= HOSTS; i++) {
        awaitServing(i, i == victim ? "2.0.0" : "2.1.0");
      }
      step("rollout succeeded with " + victimHost + " deferred");
    } finally {
      hosts.join(victim);
    }
    RolloutInfo repaired = awaitRollout(started.getId(), victimHost + " to be repaired after the join",
        r -> !r.getRepairsPending() && task(r, victimHost, "FORWARD").getState().equals("SUCCEEDED"));
    assertThat(repaired.getState()).isEqualTo("SUCCEEDED");
    awaitServing(victim, "2.1.0");
    awaitReported(SAMPLE, "2.1.0");
    step(victimHost + " repaired to 2.1.0 after the join");
  }

  @Test
  @Order(3)
  void aVersionWhoseHealthCheckFailsStopsTheRolloutAndIsRolledBack() throws Exception {
    // 3.0.0's health check asks for a path it does not serve (404).
    publish(SAMPLE, "3.0.0", SamplePackages.serving(SAMPLE, "3.0.0", "missing", FILLER));
    RolloutInfo r = rollout(RolloutKind.UPGRADE, SAMPLE, "3.0.0", strategy("2").setDefaultMaxUnavailable("2"));
    assertThat(r.getState()).as("%s", describe(r)).isEqualTo("ROLLED_BACK");
    List<String> first = r.getPhases(0).getBatches(0).getHostsList();
    // Stopped at the first batch: only its hosts were touched, each failed its health check and was rolled back.
    assertThat(r.getTasksList()).as("%s", describe(r)).allMatch(t -> first.contains(t.getHost()));
    for (String host : first) {
      assertThat(task(r, host, "FORWARD").getDetail()).as("%s", describe(r)).contains("HTTP 404");
      assertThat(task(r, host, "ROLLBACK").getState()).as("%s", describe(r)).isEqualTo("SUCCEEDED");
    }
    for (int i = 1; i <= HOSTS; i++) {
      awaitServing(i, "2.1.0");
    }
    awaitReported(SAMPLE, "2.1.0");
    step("3.0.0 stopped at " + first + " and rolled back");
  }

  @Test
  @Order(4)
  void theAgentUpgradesItselfEverywhereAndABrokenAgentIsRolledBackEverywhere() throws Exception {
    publish(LauncherFiles.MODULE, "2.0.0", agentPackage("2.0.0", "exec '" + Dist.bin("dayu-agent") + "' \"$@\"\n"));
    publish(LauncherFiles.MODULE, "3.0.0",
        agentPackage("3.0.0", "echo 'dayu-agent 3.0.0: broken on purpose' >&2\nexit 3\n"));

    RolloutInfo good = rollout(RolloutKind.DEPLOY, LauncherFiles.MODULE, "2.0.0",
        strategy("100%").setDefaultMaxUnavailable("100%"));
    // Each node's own task succeeded: none was counted away while its agent was being replaced.
    assertThat(good.getState()).as("%s", describe(good)).isEqualTo("SUCCEEDED");
    assertThat(good.getRepairsPending()).as("%s", describe(good)).isFalse();
    assertThat(good.getTasksList()).as("%s", describe(good)).hasSize(HOSTS)
        .allMatch(t -> t.getState().equals("SUCCEEDED"));
    for (int i = 1; i <= HOSTS; i++) {
      awaitAgent(i, "2.0.0", ROLLOUT);
      assertThat(launcherState(i)).isEqualTo(new LauncherState("2.0.0", Optional.empty(), Optional.empty()));
    }
    awaitReported(LauncherFiles.MODULE, "2.0.0");
    // The modules the agents started kept running through the agents' replacement.
    for (int i = 1; i <= HOSTS; i++) {
      awaitServing(i, "2.1.0");
    }
    step("dayu-agent 2.0.0 on every host");

    RolloutInfo bad = rollout(RolloutKind.UPGRADE, LauncherFiles.MODULE, "3.0.0",
        strategy("100%").setDefaultMaxUnavailable("100%"));
    assertThat(bad.getState()).as("%s", describe(bad)).isEqualTo("ROLLED_BACK");
    for (int i = 1; i <= HOSTS; i++) {
      awaitAgent(i, "2.0.0", ROLLOUT);
      LauncherState s = launcherState(i);
      assertThat(s.confirmed()).as("%s's launcher state %s", host(i), s).isEqualTo("2.0.0");
      assertThat(s.failure()).as("%s's launcher state %s", host(i), s)
          .hasValueSatisfying(f -> assertThat(f.version()).isEqualTo("3.0.0"));
    }
    // Each host's own task failed with its launcher's reason (the first failure stops the rollout;
    // the tasks running then finish, failing the same way).
    assertThat(bad.getTasksList().stream().filter(t -> t.getPurpose().equals("FORWARD")))
        .as("%s", describe(bad)).hasSize(HOSTS)
        .allMatch(t -> t.getDetail().contains("3.0.0 exited with status 3 before it confirmed"));
    assertThat(bad.getTasksList().stream().filter(t -> t.getPurpose().equals("ROLLBACK")))
        .as("%s", describe(bad)).hasSize(HOSTS).allMatch(t -> t.getState().equals("SUCCEEDED"));
    awaitReported(LauncherFiles.MODULE, "2.0.0");
    step("dayu-agent 3.0.0 reverted and rolled back on every host");
  }

  // ---- the hosts ---------------------------------------------------------------------------------

  private static String host(int i) {
    return "h" + i;
  }

  private static int index(String host) {
    return Integer.parseInt(host.substring(1));
  }

  /** r1 for h1 and h2, r2 for h3 and h4, r3 for h5 and h6. */
  private static String rack(int i) {
    return "r" + ((i + 1) / 2);
  }

  private Path root(int i) {
    return dir.resolve("hosts").resolve(host(i));
  }

  /**
   * The host's launcher, started in its namespace as systemd would start it: no {@code --root}
   * (it reads dayu.agent.root from the agent's settings), the agent's settings as {@code --set}.
   */
  private void startLauncher(int i) throws IOException {
    List<String> command = hosts.on(i, List.of(Dist.bin("dayu-agent-launcher").toString(),
        "--trial-window", TRIAL_WINDOW, "--stop-grace", "10s",
        "--set", "dayu.agent.server=" + serverAddress, "--set", "dayu.agent.cluster=" + CLUSTER,
        "--set", "dayu.agent.host=" + host(i), "--set", "dayu.agent.root=" + root(i),
        "--set", "dayu.agent.reconnect-backoff=100ms", "--set", "dayu.agent.reconnect-backoff-max=1s",
        "--set", "dayu.agent.peer.bind=" + hosts.address(i), "--set", "dayu.agent.peer.port=" + PEER_PORT));
    Map<String, String> env = Map.of("FEITIAN_DAYU_AGENT_JAVA_OPTS", "-Xmx96m " + JVM_OPTS,
        "FEITIAN_DAYU_AGENT_LAUNCHER_JAVA_OPTS", JVM_OPTS);
    launchers.put(i, Dist.builder(command, env).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log(host(i)).toFile())).start());
  }

  private Process daemon(String name, List<String> command, String optsVariable, String opts) throws IOException {
    return Dist.builder(command, Map.of(optsVariable, opts)).redirectErrorStream(true)
        .redirectOutput(log(name).toFile()).start();
  }

  private Path log(String name) {
    return dir.resolve("logs").resolve(name + ".log");
  }

  /**
   * Whether dayu-server answers as the leader: it listens before its election is won, and answers
   * UNAVAILABLE "no leader elected yet" until then (as a standby does).
   */
  private boolean leading() {
    try {
      dayu().listClusters(ListClustersRequest.getDefaultInstance());
      return true;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
        return false;
      }
      throw e;
    }
  }

  private static boolean listening(String address, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** What host i's sample module answers for /VERSION, asked inside its namespace; "" when nothing answers. */
  private String serving(int i) {
    Dist.Result r = Dist.run(hosts.on(i, List.of("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + SAMPLE_PORT
        + " && printf 'GET /VERSION HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3")), Map.of(), CALL);
    if (r.exit() != 0 || !r.stdout().contains("\r\n\r\n")) {
      return "";
    }
    return r.stdout().substring(r.stdout().indexOf("\r\n\r\n") + 4).trim();
  }

  private void awaitServing(int i, String version) {
    await(host(i) + "'s " + SAMPLE + " to serve version " + version, ROLLOUT, () -> serving(i), version::equals);
  }

  /** Waits until dayu-server records {@code module} at {@code version} on every host, as the agents report it. */
  private void awaitReported(String module, String version) {
    await("every agent to report " + module + " " + version, ROLLOUT,
        () -> dayu().getClusterInfo(GetClusterInfoRequest.newBuilder().setCluster(CLUSTER).build()).getNodesList()
            .stream().collect(Collectors.toMap(n -> n.getNode().getHost(), NodeInfo::getModulesMap, (a, b) -> a,
                TreeMap::new)),
        nodes -> nodes.size() == HOSTS && nodes.values().stream().allMatch(m -> version.equals(m.get(module))));
  }

  // ---- the agents and their launchers --------------------------------------------------------------

  private Optional<RunningAgent> agent(int i) {
    return RunningAgent.of(LauncherFiles.under(root(i)));
  }

  /**
   * Waits until host i's launcher runs the agent {@code version} ("" the base) and that agent
   * confirmed its own launch: it registered with dayu-server and opened its Watch.
   */
  private void awaitAgent(int i, String version, Duration limit) {
    await(host(i) + "'s agent to run " + LauncherState.label(version) + " and confirm", limit,
        () -> agent(i).map(Object::toString).orElse("no agent") + "; launcher " + launcherFiles(i),
        seen -> agent(i).map(a -> a.confirmedAs(version)).orElse(false));
  }

  private LauncherState launcherState(int i) throws IOException {
    return LauncherFiles.under(root(i)).state();
  }

  /** The launcher's files of host i, with their contents: what a failed wait for an agent shows. */
  private String launcherFiles(int i) {
    Path d = LauncherFiles.under(root(i)).dir();
    try (Stream<Path> files = Files.list(d)) {
      return files.sorted().map(f -> {
        try {
          return f.getFileName() + "={" + Files.readString(f).replaceAll("(?m)^#.*\n", "").trim().replace('\n', ' ')
              + "}";
        } catch (IOException e) {
          return f.getFileName() + " (unreadable: " + e.getMessage() + ")";
        }
      }).collect(Collectors.joining(", ", d + " [", "]"));
    } catch (IOException e) {
      return d + " (" + e + ")";
    }
  }

  /** A release package of dayu-agent: the descriptor Feitian ships at {@code version}, and {@code body} as bin/dayu-agent. */
  private static byte[] agentPackage(String version, String body) {
    return SamplePackages.withScript(ReleasePackage.descriptorText(Dist.releasePackage(LauncherFiles.MODULE)), version,
        LauncherFiles.MODULE, body);
  }

  // ---- peer-to-peer --------------------------------------------------------------------------------

  /** Every agent's transfer counters, asked on its piece server at its host's address. */
  private Map<Integer, TransferStats> stats() {
    Map<Integer, TransferStats> out = new TreeMap<>();
    for (int i = 1; i <= HOSTS; i++) {
      out.put(i, PieceServiceGrpc.newBlockingStub(peerChannels.get(i)).withDeadlineAfter(CALL.toMillis(),
          TimeUnit.MILLISECONDS).getTransferStats(GetTransferStatsRequest.getDefaultInstance()));
    }
    return out;
  }

  /**
   * Pieces of {@code pkg} moved between the hosts: every host received the whole package, some of it
   * from other hosts, and agents served; dayu-server sent at most half a copy per host. The bound:
   * the picker asks the seed only for pieces no unpaused peer holds, so the server sends about one
   * copy (the first host's, alone in the first batch) plus the pieces asked while their holders
   * were busy; a server-only distribution sends one copy per host, HOSTS in all.
   */
  private void assertPeerToPeer(String pkg, Map<Integer, TransferStats> before, Map<Integer, TransferStats> after) {
    long size = sizes.get(pkg);
    long fromPeers = 0;
    long fromServer = 0;
    long served = 0;
    StringBuilder table = new StringBuilder(pkg + " (" + size + " bytes), per host: from peers / from server / served");
    for (int i = 1; i <= HOSTS; i++) {
      TransferStats b = before.get(i);
      TransferStats a = after.get(i);
      long peers = a.getBytesFromPeers() - b.getBytesFromPeers();
      long seed = a.getBytesFromServer() - b.getBytesFromServer();
      long sent = a.getBytesServed() - b.getBytesServed();
      table.append(String.format("%n  %s (%s): %d / %d / %d", host(i), rack(i), peers, seed, sent));
      assertThat(peers + seed).as("%s received the whole package\n%s", host(i), table).isGreaterThanOrEqualTo(size);
      fromPeers += peers;
      fromServer += seed;
      served += sent;
    }
    table.append(String.format("%n  dayu-server sent %.2f copies (bound %.1f), agents served %d bytes",
        (double) fromServer / size, HOSTS / 2.0, served));
    System.out.println(table);
    assertThat(fromPeers).as("bytes from peers\n%s", table).isPositive();
    assertThat(served).as("bytes served by agents\n%s", table).isPositive();
    assertThat(fromServer).as("bytes from dayu-server\n%s", table).isLessThanOrEqualTo(size * HOSTS / 2);
  }

  // ---- dayu-server ---------------------------------------------------------------------------------

  private DayuServiceGrpc.DayuServiceBlockingStub dayu() {
    return DayuServiceGrpc.newBlockingStub(channel).withDeadlineAfter(CALL.toMillis(), TimeUnit.MILLISECONDS);
  }

  private RolloutServiceGrpc.RolloutServiceBlockingStub rollouts() {
    return RolloutServiceGrpc.newBlockingStub(channel).withDeadlineAfter(CALL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Uploads a release package, as `feitian dayu module publish` does: the header, then 1 MiB chunks. */
  private void publish(String module, String version, byte[] bytes) throws Exception {
    CompletableFuture<ModuleVersion> answer = new CompletableFuture<>();
    StreamObserver<UploadPackageChunk> up = DayuServiceGrpc.newStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
        .uploadPackage(FutureObserver.completing(answer));
    up.onNext(UploadPackageChunk.newBuilder().setHeader(PackageHeader.newBuilder().setModule(module)
        .setVersion(version).setSha256(SamplePackages.sha256(bytes)).setSizeBytes(bytes.length)).build());
    for (int at = 0; at < bytes.length; at += 1 << 20) {
      up.onNext(UploadPackageChunk.newBuilder()
          .setData(ByteString.copyFrom(bytes, at, Math.min(1 << 20, bytes.length - at))).build());
    }
    up.onCompleted();
    answer.get(60, TimeUnit.SECONDS);
    sizes.put(module + "@" + version, bytes.length);
  }

  private static RolloutStrategy.Builder strategy(String... batches) {
    return RolloutStrategy.newBuilder().addAllBatches(List.of(batches)).setMinHealthy("0s");
  }

  private RolloutInfo start(RolloutKind kind, String module, String version, RolloutStrategy.Builder strategy) {
    return rollouts().startRollout(StartRolloutRequest.newBuilder().setCluster(CLUSTER).setKind(kind)
        .putTargets(module, version).setStrategy(strategy).build());
  }

  /** Starts a rollout and waits for its end. */
  private RolloutInfo rollout(RolloutKind kind, String module, String version, RolloutStrategy.Builder strategy) {
    RolloutInfo r = start(kind, module, version, strategy);
    return awaitRollout(r.getId(), "to end", s -> ENDED.contains(s.getState()));
  }

  private RolloutInfo awaitRollout(long id, String what, Predicate<RolloutInfo> done) {
    return await("rollout " + id + " " + what, ROLLOUT,
        () -> rollouts().getRollout(GetRolloutRequest.newBuilder().setId(id).build()), done, DayuMultiHostIT::describe);
  }

  private static NodeTaskInfo task(RolloutInfo r, String host, String purpose) {
    return r.getTasksList().stream().filter(t -> t.getHost().equals(host) && t.getPurpose().equals(purpose))
        .findFirst().orElse(NodeTaskInfo.newBuilder().setHost(host).setPurpose(purpose).setState("none").build());
  }

  private static String describe(RolloutInfo r) {
    StringBuilder b = new StringBuilder("rollout " + r.getId() + " " + r.getKind() + " " + r.getTargetsMap() + ": "
        + r.getState() + (r.getReason().isEmpty() ? "" : " (" + r.getReason() + ")")
        + (r.getRepairsPending() ? ", repairs pending" : ""));
    for (NodeTaskInfo t : r.getTasksList()) {
      b.append(String.format("%n  %s %s %s %s->%s %s %d/%d batch %d %s", t.getHost(), t.getModule(), t.getPurpose(),
          t.getFromVersion(), t.getToVersion(), t.getState(), t.getStepsDone(), t.getStepCount(), t.getBatch(),
          t.getDetail()));
    }
    return b.toString();
  }

  // ---- waiting -------------------------------------------------------------------------------------

  private <T> T await(String what, Duration limit, Supplier<T> look, Predicate<T> done) {
    return await(what, limit, look, done, String::valueOf);
  }

  /**
   * Looks every 250 ms until {@code done}; past the deadline (or when a daemon ended) fails saying
   * what it saw last and where the logs are. A look that throws counts as not done.
   */
  private <T> T await(String what, Duration limit, Supplier<T> look, Predicate<T> done,
      java.util.function.Function<T, String> show) {
    long deadline = System.nanoTime() + limit.toNanos();
    String seen = "nothing yet";
    while (true) {
      try {
        T value = look.get();
        if (done.test(value)) {
          return value;
        }
        seen = show.apply(value);
      } catch (RuntimeException e) {
        seen = e.toString();
      }
      List<String> ended = new ArrayList<>();
      if (server != null && !server.isAlive()) {
        ended.add("dayu-server (exit " + server.exitValue() + ")");
      }
      launchers.forEach((i, l) -> {
        if (!l.isAlive()) {
          ended.add(host(i) + "'s launcher (exit " + l.exitValue() + ")");
        }
      });
      if (!ended.isEmpty() || System.nanoTime() > deadline) {
        throw new AssertionError((ended.isEmpty() ? "waited " + limit : "ended: " + ended) + " for " + what
            + "; last seen: " + seen + "\nlogs: " + dir.resolve("logs") + ", agent roots: " + dir.resolve("hosts"));
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

  private void step(String what) {
    System.out.printf("DayuMultiHostIT [%5.1f s] %s%n", (System.nanoTime() - t0) / 1e9, what);
  }
}
