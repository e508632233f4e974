package io.feitian.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.examples.sort.GenerateRecords;
import io.feitian.job.client.JobClient;
import io.feitian.proto.fuxi.v1.ClusterStatus;
import io.feitian.proto.fuxi.v1.NodeState;
import io.feitian.proto.fuxi.v1.NodeStatus;
import io.feitian.proto.job.v1.JobSpec;
import io.feitian.proto.job.v1.JobStatus;
import io.feitian.testkit.ChildJvm;
import io.feitian.testkit.NetHosts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster on seven hosts (Linux network namespaces on a bridge; ZooKeeper
 * in the test's namespace): three fuxi-masters on hosts 1-3, task-workers on
 * hosts 4-7. Every daemon is bound to every interface and advertises the
 * address that reaches ZooKeeper, as from the shipped configuration. A job
 * whose second task reads the first's outputs across hosts runs through a
 * kill -9 of the leader and a host cut off from the network past the node
 * timeout; its output is exact, its job-master is never restarted, and no
 * node other than the cut one has work killed.
 */
class MultiHostIT {
  private static final int MASTERS = 3;
  private static final int WORKERS = 4;

  @TempDir
  Path dir;

  @Test
  void aJobGivesExactOutputThroughALeaderKillAndAHostCutOff() throws Exception {
    long seed = Long.getLong("hosts.seed", System.nanoTime());
    System.out.println("MultiHostIT: seed " + seed + " (replay with -Dhosts.seed=" + seed + ")");
    Random random = new Random(seed);
    try (NetHosts hosts = NetHosts.create("fth", 213, MASTERS + WORKERS);
        TestCluster c = new TestCluster(dir, hosts)) {
      // Ten JVMs share two cores: the shipped node timings, not the suite's short ones, so that only the cut is a fault.
      for (int h = 1; h <= MASTERS; h++) {
        c.startMasterOn(h, "--set", "fuxi.master.heartbeat-interval=1s", "--set", "fuxi.master.node-timeout=6s",
            "--set", "fuxi.master.recovery-window=6s");
      }
      for (int h = MASTERS + 1; h <= MASTERS + WORKERS; h++) {
        c.startWorkerOn(h, "node-" + h, "rack-" + (h % 2));
      }
      ClusterStatus cluster = c.awaitAliveNodes(WORKERS);
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> c.status().getMastersCount() == MASTERS);
      for (NodeStatus n : cluster.getNodesList()) {
        int h = Integer.parseInt(n.getNodeId().substring("node-".length()));
        assertThat(n.getAddress()).as("node %s advertises its own host", n.getNodeId()).startsWith(hosts.address(h) + ":");
      }
      List<String> hostAddresses = new ArrayList<>();
      for (int h = 1; h <= MASTERS; h++) {
        hostAddresses.add(hosts.address(h));
      }
      assertThat(c.status().getMastersList()).extracting(m -> m.getAddress().substring(0, m.getAddress().lastIndexOf(':')))
          .containsExactlyInAnyOrderElementsOf(hostAddresses);

      Path records = dir.resolve("records");
      // Few, slow instances: each worker is a JVM, and the machine has two cores for all the hosts.
      GenerateRecords.generate(records, 8, 500, seed);
      List<String> input = lines(records);
      Path out = dir.resolve("out");
      JobSpec.Builder spec = Jobs.thenSort(Jobs.copy("hosts", records, out, "sleep 2; cat"), 2);
      JobClient jobs = new JobClient(c.client());
      String id = jobs.submit(spec.build());

      int doneAtKill = awaitCopiesDone(jobs, id, 1 + random.nextInt(3));
      String leader = c.leaderName();
      System.out.println("kill -9 of the leader " + leader);
      ChildJvm.kill9(c.masters.get(leader));

      awaitCopiesDone(jobs, id, doneAtKill + 1 + random.nextInt(3));
      // The new leader knows every node before one is cut (a node it never heard from is not listed, lost or not).
      c.awaitAliveNodes(WORKERS);
      String masterNode = Apps.get(c, id).getMasterNodeId();
      List<Integer> candidates = new ArrayList<>();
      for (int h = MASTERS + 1; h <= MASTERS + WORKERS; h++) {
        if (!("node-" + h).equals(masterNode)) {
          candidates.add(h);
        }
      }
      int victim = candidates.get(random.nextInt(candidates.size()));
      System.out.println("cutting host " + victim + " (node-" + victim + ") off; the job-master runs on " + masterNode);
      hosts.cut(victim);
      try {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> c.status().getNodesList().stream()
            .anyMatch(n -> n.getNodeId().equals("node-" + victim) && n.getState() == NodeState.NODE_STATE_LOST));
      } finally {
        hosts.join(victim);
      }

      JobStatus end = Jobs.run(jobs, id, Duration.ofMinutes(4));
      Jobs.assertSucceeded(end);
      assertThat(Jobs.outputLines(out, "sort")).hasSameSizeAs(input).containsExactlyInAnyOrderElementsOf(input);
      assertThat(Apps.get(c, id).getMasterRestarts()).as("the job-master survived the leader kill").isZero();
      c.awaitAliveNodes(WORKERS);
      for (int h = MASTERS + 1; h <= MASTERS + WORKERS; h++) {
        if (h != victim) {
          assertThat(c.log("node-" + h)).as("node-%d had nothing killed by a leader", h)
              .doesNotContain("refused by the leader at registration");
        }
      }
    }
  }

  /** Waits until at least {@code done} instances of copy are done; returns how many were. */
  private static int awaitCopiesDone(JobClient jobs, String id, int done) {
    int[] seen = new int[1];
    // A status call may fail while the leader changes: the wait goes on.
    await().atMost(Duration.ofMinutes(2)).ignoreExceptions().until(() -> {
      JobStatus s = jobs.status(id);
      seen[0] = s.getTasksCount() > 0 ? s.getTasks(0).getDone() : 0;
      return seen[0] >= done;
    });
    return seen[0];
  }

  private static List<String> lines(Path records) throws Exception {
    List<String> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(records)) {
      for (Path f : files.sorted().toList()) {
        all.addAll(Files.readAllLines(f));
      }
    }
    return all;
  }
}
