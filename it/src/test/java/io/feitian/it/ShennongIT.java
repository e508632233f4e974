package io.feitian.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.client.ClusterTarget;
import io.feitian.client.FeitianClient;
import io.feitian.client.shennong.MonitorClient;
import io.feitian.client.shennong.Subscription;
import io.feitian.examples.sort.GenerateRecords;
import io.feitian.job.client.JobClient;
import io.feitian.service.client.ServiceAdmins;
import io.feitian.proto.service.v1.PartitionRecord;
import io.feitian.proto.service.v1.PartitionState;
import io.feitian.proto.service.v1.ServiceStatus;
import io.feitian.proto.shennong.v1.AgentServiceGrpc;
import io.feitian.proto.shennong.v1.AgentState;
import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.Kind;
import io.feitian.proto.shennong.v1.Operation;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.feitian.proto.shennong.v1.SubscriptionUpdate;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.testkit.ChildJvm;
import io.feitian.testkit.FreePorts;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shennong's faults with real processes: the master leader and an agent killed with kill -9 while
 * a subscriber counts what agents were given. The client library follows the master; every window
 * the subscriber is shown whole holds exactly the samples written in it, and the windows around
 * the faults say what they lack.
 */
class ShennongIT {
  private static final String MASTER_MAIN = "io.feitian.shennong.master.ShennongMasterMain";
  private static final String AGENT_MAIN = "io.feitian.shennong.agent.ShennongAgentMain";
  /** Samples are stamped this far ahead, so each is written well before its window is evaluated. */
  private static final long AHEAD_MS = 1000;
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path dir;
  private TestingServer zk;
  /** The ZooKeeper the Shennong daemons use: this test's own, or a TestCluster's. */
  private String zkConnect;
  private final Map<String, Process> daemons = new LinkedHashMap<>();
  private final Map<String, Integer> agentPorts = new LinkedHashMap<>();
  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
  private final ConcurrentLinkedQueue<Long> accepted = new ConcurrentLinkedQueue<>();
  private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
  private final Map<String, Long> lastTs = new java.util.concurrent.ConcurrentHashMap<>();

  @BeforeEach
  void startZooKeeper() throws Exception {
    zk = new TestingServer(new InstanceSpec(dir.resolve("zk").toFile(), -1, -1, -1, true, -1, 200, -1), true);
    zkConnect = zk.getConnectString();
  }

  @AfterEach
  void stopAll() throws Exception {
    writer.shutdownNow();
    channels.values().forEach(ManagedChannel::shutdownNow);
    daemons.values().forEach(ChildJvm::kill9);
    zk.close();
  }

  private List<String> common() {
    return new ArrayList<>(List.of("--set", "feitian.zookeeper.connect=" + zkConnect,
        "--set", "feitian.zookeeper.session-timeout=2s", "--set", "feitian.cluster-name=it"));
  }

  private void startMaster(String name) {
    List<String> args = common();
    args.addAll(List.of("--set", "shennong.master.port=0", "--set", "shennong.master.metrics.port=0",
        "--set", "shennong.master.status-interval=300ms",
        "--set", "shennong.master.report-grace=500ms"));
    daemons.put(name, ChildJvm.of(MASTER_MAIN).args(args.toArray(String[]::new)).log(dir.resolve(name + ".log"))
        .start());
  }

  private void startAgent(String node) throws IOException {
    int port = agentPorts.computeIfAbsent(node, n -> FreePorts.one());
    List<String> args = common();
    args.addAll(List.of("--set", "shennong.agent.node-id=" + node, "--set", "shennong.agent.port=" + port,
        "--set", "shennong.agent.metrics.port=0",
        "--set", "shennong.agent.reconnect-backoff=50ms", "--set", "shennong.agent.reconnect-backoff-max=300ms"));
    daemons.put(node, ChildJvm.of(AGENT_MAIN).args(args.toArray(String[]::new))
        .log(dir.resolve(node + "-" + System.nanoTime() + ".log")).start());
    lastTs.put(node, 0L);
  }

  /** One sample of value 1 to each live agent every 50 ms; remembers the stamps the agents accepted. */
  private void write() {
    for (String node : List.copyOf(lastTs.keySet())) {
      long ts = Math.max(lastTs.getOrDefault(node, 0L) + 1, System.currentTimeMillis() + AHEAD_MS);
      try {
        ManagedChannel ch = channels.computeIfAbsent(node, n -> NettyChannelBuilder.forTarget(
            "127.0.0.1:" + agentPorts.get(n)).usePlaintext().build());
        int ok = AgentServiceGrpc.newBlockingStub(ch).withDeadlineAfter(2, TimeUnit.SECONDS).write(WriteRequest
            .newBuilder().setSource("it").addSamples(Sample.newBuilder().setName("load").setTimestampMs(ts)
                .setValue(1)).build()).getAcceptedSamples();
        if (ok == 1) {
          accepted.add(ts);
          lastTs.computeIfPresent(node, (n, old) -> ts);
        }
      } catch (RuntimeException e) {
        // not up (yet, or any more): nothing accepted
      }
    }
  }

  private long samplesIn(long startMs, long endMs) {
    return accepted.stream().filter(ts -> ts > startMs && ts <= endMs).count();
  }

  /** The leader's process name, from its log line "leading as ADDRESS". */
  private String leader(MonitorClient client) {
    await().atMost(WAIT).ignoreExceptions().until(() -> !client.agents(false).isEmpty());
    for (Map.Entry<String, Process> d : daemons.entrySet()) {
      if (d.getKey().startsWith("master") && d.getValue().isAlive() && log(d.getKey()).contains("leading as")) {
        return d.getKey();
      }
    }
    throw new IllegalStateException("no master leads");
  }

  private String log(String name) {
    try {
      return Files.readString(dir.resolve(name + ".log"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aSubscriptionRidesOutAMasterAndAnAgentKilledWithoutShowingAWrongCount() throws Exception {
    startMaster("master-1");
    startMaster("master-2");
    startAgent("n1");
    startAgent("n2");
    writer.scheduleAtFixedRate(this::write, 0, 50, TimeUnit.MILLISECONDS);
    BlockingQueue<Object> seen = new LinkedBlockingQueue<>();
    try (FeitianClient fuxi = new FeitianClient(new ClusterTarget.ZooKeeper(zk.getConnectString(), "it", "feitian"),
        FeitianClient.Options.defaults()); MonitorClient client = new MonitorClient(fuxi)) {
      await().atMost(WAIT).ignoreExceptions().until(() -> client.agents(false).size() == 2
          && client.agents(false).stream().allMatch(a -> a.getStatus().getSeriesNamesList().contains("load")));
      Subscription s = client.subscribe(SubscribeRequest.newBuilder().setSelector("load")
          .setOperation(Operation.OPERATION_COUNT).setWindowMs(1000).setStepMs(1000).build(),
          new Subscription.Listener() {
            @Override
            public void onStream(String master) {
              seen.add(master);
            }

            @Override
            public void onUpdate(SubscriptionUpdate update) {
              seen.add(update);
            }

            @Override
            public void onEnd(Status status) {
              seen.add(status);
            }
          });
      List<SubscriptionUpdate> whole = new ArrayList<>();
      int streams = 0;
      int marked = 0;
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      String killedMaster = null;
      boolean agentKilled = false;
      boolean agentRestarted = false;
      while (System.nanoTime() < deadline && (streams < 2 || !agentRestarted || whole.size() < 12)) {
        Object o = seen.poll(30, TimeUnit.SECONDS);
        assertThat(o).as("an update within 30 s").isNotNull();
        if (o instanceof Status st) {
          throw new AssertionError("the subscription ended: " + st);
        }
        if (o instanceof String) {
          streams++;
          continue;
        }
        SubscriptionUpdate u = (SubscriptionUpdate) o;
        boolean isWhole = u.getGap().getMissingAgentsCount() == 0 && u.getGap().getIncompleteSeries() == 0;
        if (isWhole) {
          whole.add(u);
        } else {
          marked++;
        }
        if (whole.size() >= 3 && killedMaster == null) {
          killedMaster = leader(client);
          ChildJvm.kill9(daemons.get(killedMaster));
        } else if (streams >= 2 && whole.size() >= 6 && !agentKilled) {
          lastTs.remove("n2");
          ChildJvm.kill9(daemons.get("n2"));
          agentKilled = true;
        } else if (agentKilled && !agentRestarted && u.getGap().getMissingAgentsList().contains("n2")) {
          long killedAt = System.currentTimeMillis();
          // n2's samples died with it, stamped up to AHEAD_MS ahead: restart after them.
          await().atMost(WAIT).until(() -> System.currentTimeMillis() > killedAt + AHEAD_MS);
          startAgent("n2");
          agentRestarted = true;
        }
      }
      s.close();
      assertThat(streams).as("a second stream after the master was killed").isGreaterThanOrEqualTo(2);
      assertThat(agentRestarted).isTrue();
      assertThat(marked).as("windows around the agent's death say what they lack").isPositive();
      assertThat(whole).hasSizeGreaterThanOrEqualTo(12);
      for (SubscriptionUpdate u : whole) {
        long got = u.getGroupsCount() == 0 ? 0 : (long) u.getGroups(0).getValue();
        assertThat(got).as("window from %d (%s)", u.getWindowStartMs(), u)
            .isEqualTo(samplesIn(u.getWindowStartMs(), u.getWindowStartMs() + 1000));
      }
      await().atMost(WAIT).ignoreExceptions().until(() -> client.agents(false).stream()
          .filter(a -> a.getState() == AgentState.AGENT_STATE_UP).count() == 2);
    }
  }

  /**
   * A Shennong master, the agent node-a, and a Fuxi cluster (a fuxi-master and task-workers tw-1..tw-N,
   * all registered) whose daemons report to node-a every 300 ms.
   */
  private TestCluster reportingCluster(int nodes) throws Exception {
    int agentPort = FreePorts.one();
    agentPorts.put("node-a", agentPort);
    TestCluster fuxi = new TestCluster(Files.createDirectories(dir.resolve("fuxi"))).withArgs(
        "--set", "feitian.shennong.agent=127.0.0.1:" + agentPort, "--set", "feitian.shennong.interval=300ms");
    try {
      zkConnect = fuxi.zkConnect();
      startMaster("master-1");
      startAgent("node-a");
      fuxi.startMaster();
      for (int i = 1; i <= nodes; i++) {
        fuxi.startWorker("tw-" + i, "rack-" + i);
      }
      fuxi.awaitAliveNodes(nodes);
      return fuxi;
    } catch (Exception | AssertionError e) {
      fuxi.close();
      throw e;
    }
  }

  /**
   * Fuxi reports through Shennong: a leading fuxi-master writes the cluster's figures and events
   * to its node's agent, where any subscriber sees them; a node killed with kill -9 is an event.
   */
  @Test
  void fuxiMasterReportsItsNodesAndTheLossOfOne() throws Exception {
    try (TestCluster fuxi = reportingCluster(2); MonitorClient monitor = new MonitorClient(fuxi.client())) {
      BlockingQueue<SubscriptionUpdate> alive = new LinkedBlockingQueue<>();
      BlockingQueue<SubscriptionUpdate> events = new LinkedBlockingQueue<>();
      try (Subscription a = raw(monitor, "fuxi.master.nodes.alive", alive);
          Subscription e = events(monitor, "fuxi.*{severity>=\"warning\"}", events)) {
        awaitSample(alive, 2.0);
        fuxi.killNode("tw-2");
        List<Event> lost = awaitEvents(events, seen -> !seen.isEmpty());
        assertThat(lost).as("a node lost event within " + WAIT).isNotEmpty();
        assertThat(lost.get(0).getName()).isEqualTo("fuxi.node.lost");
        assertThat(lost.get(0).getLabelsMap()).containsEntry("node", "tw-2");
        awaitSample(alive, 1.0);
      }
    }
  }

  /**
   * A task-worker reports through its node's agent: an application master that exits with status 3
   * is a worker failure event, its replacement on the same node a restart, and the master running
   * meanwhile is the gauge {@code taskworker.workers.running}. The master saw the node's agent in
   * its environment.
   */
  @Test
  void taskWorkerReportsAWorkerThatFailsAndItsRestart() throws Exception {
    Path seen = dir.resolve("agent-seen-by-master");
    try (TestCluster fuxi = reportingCluster(1); MonitorClient monitor = new MonitorClient(fuxi.client())) {
      BlockingQueue<SubscriptionUpdate> running = new LinkedBlockingQueue<>();
      BlockingQueue<SubscriptionUpdate> events = new LinkedBlockingQueue<>();
      await().atMost(WAIT).ignoreExceptions().until(() -> monitor.agents(false).stream()
          .anyMatch(a -> a.getStatus().getSeriesNamesList().contains("taskworker.workers.running")));
      try (Subscription r = raw(monitor, "taskworker.workers.running{node=\"tw-1\",kind=\"master\"}", running);
          Subscription e = events(monitor, "taskworker.worker.*", events)) {
        awaitSample(running, 0.0);
        String appId = Apps.submit(fuxi, Apps.spec("fails", "sh", "-c",
            "echo \"$FEITIAN_SHENNONG_AGENT\" > " + seen + "; sleep 2; exit 3"));
        awaitSample(running, 1.0);
        List<Event> got = awaitEvents(events, evs -> evs.stream()
            .anyMatch(ev -> ev.getName().equals("taskworker.worker.restarted")));
        Event failed = named(got, "taskworker.worker.failed");
        assertThat(failed.getLabelsMap()).containsEntry("node", "tw-1").containsEntry("app", appId)
            .containsEntry("kind", "master").containsEntry("exit_status", "3").containsKey("worker");
        Event restarted = named(got, "taskworker.worker.restarted");
        assertThat(restarted.getLabelsMap()).containsEntry("node", "tw-1").containsEntry("app", appId)
            .containsEntry("replaces", failed.getLabelsMap().get("worker"));
        assertThat(Files.readString(seen).trim()).isEqualTo("127.0.0.1:" + agentPorts.get("node-a"));
      }
    }
  }

  private static Event named(List<Event> events, String name) {
    return events.stream().filter(e -> e.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no event " + name + " within " + WAIT + " among " + events));
  }

  private static Subscription raw(MonitorClient monitor, String selector, BlockingQueue<SubscriptionUpdate> into) {
    return monitor.subscribe(SubscribeRequest.newBuilder().setSelector(selector).setOperation(Operation.OPERATION_RAW)
        .build(), listener(into));
  }

  /** An events subscription, once its first message (the events the agents held before it) has come. */
  private static Subscription events(MonitorClient monitor, String selector, BlockingQueue<SubscriptionUpdate> into)
      throws InterruptedException {
    Subscription s = monitor.subscribe(SubscribeRequest.newBuilder().setSelector(selector).setKind(Kind.KIND_EVENTS)
        .setOperation(Operation.OPERATION_RAW).build(), listener(into));
    assertThat(into.poll(30, TimeUnit.SECONDS)).as("the events stream's first message").isNotNull();
    return s;
  }

  /** The events that arrive until those seen satisfy {@code enough}, or WAIT has passed. */
  private static List<Event> awaitEvents(BlockingQueue<SubscriptionUpdate> updates, Predicate<List<Event>> enough)
      throws InterruptedException {
    List<Event> seen = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!enough.test(seen) && System.nanoTime() < deadline) {
      SubscriptionUpdate u = updates.poll(5, TimeUnit.SECONDS);
      if (u != null) {
        seen.addAll(u.getEventsList());
      }
    }
    return seen;
  }

  /**
   * A job-master reports through its node's agent: a job one of whose instances fails once shows a
   * subscriber that failure (job, task, instance, node, reason), its instances by state, and its
   * end. The job-master exits as soon as the job has ended, so the end arrives only because its
   * reporter takes a last report and flushes it before the process goes.
   */
  @Test
  void aJobMasterReportsAFailedInstanceItsInstancesAndItsEnd() throws Exception {
        Path records = dir.resolve("records");
    GenerateRecords.generate(records, 4, 500, 7);
    try (TestCluster fuxi = reportingCluster(2); MonitorClient monitor = new MonitorClient(fuxi.client())) {
      BlockingQueue<SubscriptionUpdate> instances = new LinkedBlockingQueue<>();
      BlockingQueue<SubscriptionUpdate> events = new LinkedBlockingQueue<>();
      try (Subscription g = raw(monitor, "job.instances", instances); Subscription e = events(monitor, "job.*", events)) {
        JobClient jobs = new JobClient(fuxi.client());
        String id = jobs.submit(Jobs.copy("flaky", records, dir.resolve("out"),
            "if [ \"$FEITIAN_INSTANCE\" = 1 ] && [ \"$FEITIAN_ATTEMPT\" = 0 ]; then echo 'instance 1 is flaky' >&2;"
                + " exit 3; fi; sleep 1; cat").build());
        List<Event> seen = awaitEvents(events, got -> got.stream().anyMatch(ev -> ev.getName().equals("job.finished")));
        assertThat(seen).as("the job's events within " + WAIT).extracting(Event::getName)
            .containsExactly("job.instance.failed", "job.finished");
        assertThat(seen.get(0).getLabelsMap()).containsEntry("job", id).containsEntry("task", "copy")
            .containsEntry("instance", "1").containsEntry("attempt", "0").containsKey("node");
        assertThat(seen.get(0).getLabelsMap().get("node")).isIn("tw-1", "tw-2");
        assertThat(seen.get(0).getLabelsMap().get("reason")).contains("status 3");
        assertThat(seen.get(1).getLabelsMap()).containsEntry("job", id);
        int all = Jobs.run(jobs, id, WAIT).getTasks(0).getInstances();
        awaitSample(instances, s -> s.getLabelsMap().equals(Map.of("job", id, "task", "copy", "state", "done"))
            && s.getValue() == all, "job.instances of " + id + " with all " + all + " done");
      }
    }
  }

  /** A service-master reports through its node's agent: a partition migrated by an operator is an event. */
  @Test
  void aServiceMasterReportsAPartitionMigrated() throws Exception {
        try (TestCluster fuxi = reportingCluster(2); MonitorClient monitor = new MonitorClient(fuxi.client())) {
      BlockingQueue<SubscriptionUpdate> partitions = new LinkedBlockingQueue<>();
      BlockingQueue<SubscriptionUpdate> events = new LinkedBlockingQueue<>();
      try (Subscription g = raw(monitor, "service.partitions", partitions);
          Subscription e = events(monitor, "service.*", events)) {
        ServiceAdmins services = new ServiceAdmins(fuxi.client());
        String id = services.create(ServicesIT.kv(dir, "kv", 2, 2));
        ServiceStatus[] steady = new ServiceStatus[1];
        await().atMost(WAIT).ignoreExceptions().until(() -> {
          steady[0] = services.status("kv");
          return steady[0].getWorkersCount() == 2 && steady[0].getPartitionsCount() == 2 && steady[0]
              .getPartitionsList().stream().allMatch(p -> p.getState() == PartitionState.PARTITION_STATE_SERVING);
        });
        awaitSample(partitions, s -> s.getLabelsMap().equals(Map.of("service", id, "state", "serving"))
            && s.getValue() == 2, "service.partitions of " + id + " with 2 serving");
        PartitionRecord moving = steady[0].getPartitions(0);
        String to = steady[0].getWorkersList().stream().map(w -> w.getWorkerId())
            .filter(w -> !w.equals(moving.getOwner())).findFirst().orElseThrow();
        services.migrate("kv", moving.getId(), to);
        // This migration's event: a move of the same partition during the start (a rebalance) may be
        // reported after the status already showed it, so the event is told by where it moved from and to.
        Predicate<Event> migrated = ev -> ev.getName().equals("service.partition.moved")
            && ev.getLabelsMap().get("partition").equals(moving.getId())
            && moving.getOwner().equals(ev.getLabelsMap().get("from")) && to.equals(ev.getLabelsMap().get("to"));
        List<Event> seen = awaitEvents(events, got -> got.stream().anyMatch(migrated));
        assertThat(seen).as("the migration's event within " + WAIT).filteredOn(migrated).first()
            .satisfies(ev -> assertThat(ev.getLabelsMap()).containsEntry("service", id));
      }
    }
  }

  private static Subscription.Listener listener(BlockingQueue<SubscriptionUpdate> into) {
    return new Subscription.Listener() {
      @Override
      public void onUpdate(SubscriptionUpdate update) {
        into.add(update);
      }

      @Override
      public void onEnd(Status status) {
        // the test's assertions time out with what was seen
      }
    };
  }

  /** Waits for a RAW update holding a sample of this value. */
  private static void awaitSample(BlockingQueue<SubscriptionUpdate> updates, double value) throws InterruptedException {
    awaitSample(updates, s -> s.getValue() == value, "a sample of value " + value);
  }

  /** Waits for a RAW update holding a sample that matches. */
  private static void awaitSample(BlockingQueue<SubscriptionUpdate> updates, Predicate<Sample> wanted, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    List<String> seen = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      SubscriptionUpdate u = updates.poll(5, TimeUnit.SECONDS);
      if (u == null) {
        continue;
      }
      for (var s : u.getSamplesList()) {
        seen.add(s.getSample().getLabelsMap() + "=" + s.getSample().getValue());
        if (wanted.test(s.getSample())) {
          return;
        }
      }
    }
    throw new AssertionError("no " + what + " within " + WAIT + "; saw " + seen);
  }
}
