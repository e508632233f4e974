package io.feitian.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.examples.v1.GetRequest;
import io.feitian.proto.examples.v1.GetResponse;
import io.feitian.proto.examples.v1.KeyValueGrpc;
import io.feitian.proto.examples.v1.PutRequest;
import io.feitian.proto.fuxi.v1.WorkerInfo;
import io.feitian.proto.service.v1.JavaWorker;
import io.feitian.proto.service.v1.PartitionRecord;
import io.feitian.proto.service.v1.PartitionState;
import io.feitian.proto.service.v1.PartitionsSpec;
import io.feitian.proto.service.v1.Placement;
import io.feitian.proto.service.v1.RoleSpec;
import io.feitian.proto.service.v1.ServiceSpec;
import io.feitian.proto.service.v1.ServiceStatus;
import io.feitian.service.client.ServiceAdmins;
import io.feitian.service.client.ServiceClient;
import io.feitian.service.client.ServiceKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example key-value service on three task-worker processes: a client
 * writes and reads all along while partitions are split and migrated and
 * workers and the service-master are killed (kill -9), in an order drawn
 * from a printed seed. Afterwards every acknowledged write reads back, and
 * the workers' serving logs show no two workers ever serving the same key at
 * the same time.
 */
class ServicesIT {
  @TempDir
  static Path dir;

  static TestCluster cluster;
  static ServiceAdmins services;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestCluster.withNodes(dir, 3);
    services = new ServiceAdmins(cluster.client());
  }

  @AfterAll
  static void stop() throws Exception {
    cluster.close();
  }

  static ServiceSpec kv(String name, int workers, int partitions) {
    return kv(dir, name, workers, partitions);
  }

  /** The example key-value service, its data under {@code dataDir}, one worker per node. */
  static ServiceSpec kv(Path dataDir, String name, int workers, int partitions) {
    return ServiceSpec.newBuilder().setName(name)
        .addRoles(RoleSpec.newBuilder().setName("store").setWorkers(workers)
            .setResources(Resources.newBuilder().setCpuMillis(500).setMemoryMib(256))
            .setJava(JavaWorker.newBuilder().setWorkerClass("io.feitian.examples.kv.KvWorker")
                .addJars(Jobs.examplesJar()))
            .putEnv("KV_DATA_DIR", dataDir.resolve(name + "-data").toString())
            .setPlacement(Placement.newBuilder().setMaxPerNode(1)))
        .setPartitionedRole("store")
        .setPartitions(PartitionsSpec.newBuilder().setCount(partitions).setReassignDelayMs(2_000)
            .setMaxConcurrentMoves(2))
        .build();
  }

  /** Waits until every role has its workers and every partition is served; returns the status. */
  static ServiceStatus awaitSteady(String name, int partitions) {
    ServiceStatus[] last = new ServiceStatus[1];
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
      last[0] = services.status(name);
      return last[0].getRolesList().stream().allMatch(r -> r.getRunning() == r.getWanted())
          && last[0].getWorkersList().stream().noneMatch(w -> w.getLost())
          && last[0].getPartitionsCount() == partitions
          && last[0].getPartitionsList().stream().allMatch(p -> p.getState() == PartitionState.PARTITION_STATE_SERVING);
    });
    return last[0];
  }

  /** A client that writes key-N = value and reads back written keys until stopped, recording what was acknowledged. */
  static final class Writer implements Runnable {
    final ServiceClient client;
    final Map<String, String> acked = new ConcurrentHashMap<>();
    final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicLong ops = new AtomicLong();
    final Thread thread = new Thread(this, "kv-writer");

    Writer(ServiceClient client) {
      this.client = client;
    }

    @Override
    public void run() {
      Random random = new Random(1);
      for (int i = 0; running.get(); i++) {
        String key = "key-" + i;
        String value = "value-" + i;
        try {
          client.call(ServiceKeys.hash(key), ch -> KeyValueGrpc.newBlockingStub(ch)
              .withDeadlineAfter(5, TimeUnit.SECONDS).put(PutRequest.newBuilder().setKey(key).setValue(value).build()));
          acked.put(key, value);
          String probe = "key-" + random.nextInt(i + 1);
          GetResponse got = read(probe);
          String expected = acked.get(probe);
          if (expected != null && !expected.equals(got.getValue())) {
            failures.add("read " + probe + " = '" + got.getValue() + "', acknowledged '" + expected + "'");
          }
          ops.incrementAndGet();
        } catch (Exception e) {
          failures.add("put " + key + ": " + e);
        }
      }
    }

    GetResponse read(String key) throws InterruptedException {
      return client.call(ServiceKeys.hash(key), ch -> KeyValueGrpc.newBlockingStub(ch)
          .withDeadlineAfter(5, TimeUnit.SECONDS).get(GetRequest.newBuilder().setKey(key).build()));
    }

    /** Waits for this many more acknowledged operations. */
    void awaitProgress(int more) {
      long target = ops.get() + more;
      await().atMost(Duration.ofSeconds(60)).until(() -> ops.get() >= target || !failures.isEmpty());
      assertThat(failures).isEmpty();
    }
  }

  @Test
  void partitionsMoveAndWorkersDieWithoutLosingAWriteOrServingAKeyTwice() throws Exception {
    long seed = Long.getLong("services.seed", System.nanoTime());
    System.out.println("ServicesIT: seed " + seed + " (replay with -Dservices.seed=" + seed + ")");
    Random random = new Random(seed);
    String appId = services.create(kv("kv", 3, 4));
    int partitions = 4;
    awaitSteady("kv", partitions);
    Map<String, Long> diedAt = new HashMap<>();
    try (ServiceClient client = new ServiceClient(cluster.client(), appId,
        Duration.ofSeconds(30))) {
      Writer writer = new Writer(client);
      writer.thread.start();
      writer.awaitProgress(50);
      List<String> ops = new ArrayList<>(List.of("split", "migrate", "kill-worker", "kill-master", "scale"));
      for (int round = 0; round < 2; round++) {
        java.util.Collections.shuffle(ops, random);
        for (String op : ops) {
          ServiceStatus s = awaitSteady("kv", partitions);
          System.out.println("ServicesIT: " + op);
          switch (op) {
            case "split" -> {
              PartitionRecord p = s.getPartitions(random.nextInt(s.getPartitionsCount()));
              services.split("kv", p.getId(), midpoint(p, random));
              partitions++;
            }
            case "migrate" -> {
              PartitionRecord p = s.getPartitions(random.nextInt(s.getPartitionsCount()));
              List<String> others = s.getWorkersList().stream().map(w -> w.getWorkerId())
                  .filter(w -> !w.equals(p.getOwner())).toList();
              services.migrate("kv", p.getId(), others.get(random.nextInt(others.size())));
            }
            case "kill-worker" -> {
              var w = s.getWorkers(random.nextInt(s.getWorkersCount()));
              killWorker(appId, w.getNodeId(), w.getWorkerId());
              diedAt.put(w.getWorkerId(), ServingLogs.nowMicros());
            }
            case "kill-master" -> {
              Apps.killMaster(cluster, appId);
              // The workers serve on without a master: writes go on being acknowledged.
              writer.awaitProgress(20);
            }
            case "scale" -> {
              // Scaling in drains a worker (its partitions move first); scaling out rebalances onto the new one.
              services.scale("kv", "store", 2);
              assertThat(awaitSteady("kv", partitions).getWorkersCount()).isEqualTo(2);
              writer.awaitProgress(20);
              services.scale("kv", "store", 3);
            }
            default -> throw new IllegalStateException(op);
          }
          writer.awaitProgress(20);
        }
      }
      awaitSteady("kv", partitions);
      writer.running.set(false);
      writer.thread.join();
      assertThat(writer.failures).as("client errors").isEmpty();
      System.out.println("ServicesIT: " + writer.acked.size() + " writes acknowledged");
      for (var e : writer.acked.entrySet()) {
        assertThat(writer.read(e.getKey()).getValue()).as("acknowledged write of " + e.getKey()).isEqualTo(e.getValue());
      }
    }
    List<ServingLogs.Interval> intervals = ServingLogs.read(dir, diedAt);
    assertThat(intervals).as("serving logs").isNotEmpty();
    assertThat(ServingLogs.overlaps(intervals)).as("two workers serving the same key at once").isEmpty();

    services.delete("kv");
    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.status().getNodesList().stream()
        .allMatch(n -> Apps.workers(cluster, n.getAddress(), appId).stream()
            .noneMatch(w -> w.getState() == io.feitian.proto.fuxi.v1.WorkerState.WORKER_STATE_RUNNING)));
    assertThat(cluster.client().zookeeper().orElseThrow().checkExists().forPath("/services/" + appId))
        .as("the service's state after delete").isNull();
  }

  /** The shipped example through the CLI, as an operator would use it. */
  @Test
  void theCliManagesTheExampleService() throws Exception {
    String[] target = {"--cluster", "zk://" + cluster.zk.getConnectString(), "--cluster-name", "it"};
    // The example as shipped, but named kv2 and keeping its data in the test's directory.
    Path examples = Path.of("..", "examples", "services").toAbsolutePath().normalize();
    String json = java.nio.file.Files.readString(examples.resolve("kv.json"))
        .replace("\"name\": \"kv\"", "\"name\": \"kv2\"")
        .replace("/tmp/feitian-kv", dir.resolve("kv2-data").toString());
    Path file = examples.resolve("kv2-test.json");
    java.nio.file.Files.writeString(file, json);
    try {
      CliIT.Run created = CliIT.cli(concat(target, "service", "create", file.toString()));
      assertThat(created.code()).as(created.err()).isZero();
    } finally {
      java.nio.file.Files.delete(file);
    }
    Path bad = dir.resolve("bad.json");
    java.nio.file.Files.writeString(bad, json.replace("\"workers\": 3", "\"workers\": 0")
        .replace("../lib/feitian-examples.jar", Jobs.examplesJar()));
    CliIT.Run refused = CliIT.cli(concat(target, "service", "create", bad.toString()));
    assertThat(refused.code()).isNotZero();
    assertThat(refused.err()).contains("roles[0].workers");

    ServiceStatus s = awaitSteady("kv2", 8);
    CliIT.Run status = CliIT.cli(concat(target, "service", "status", "kv2"));
    assertThat(status.code()).isZero();
    assertThat(status.out()).contains("store").contains("p-0").contains("SERVING");

    String p0End = s.getPartitions(0).getEnd();
    assertThat(CliIT.cli(concat(target, "partition", "split", "kv2", "p-0", "--at", "08000000")).code()).isZero();
    s = awaitSteady("kv2", 9);
    assertThat(s.getPartitionsList()).extracting(PartitionRecord::getId).contains("p-0a", "p-0b");
    assertThat(s.getPartitionsList()).filteredOn(p -> p.getId().equals("p-0b")).singleElement()
        .extracting(PartitionRecord::getEnd).isEqualTo(p0End);

    PartitionRecord p1 = s.getPartitionsList().stream().filter(p -> p.getId().equals("p-1")).findFirst().orElseThrow();
    String to = s.getWorkersList().stream().map(w -> w.getWorkerId()).filter(w -> !w.equals(p1.getOwner()))
        .findFirst().orElseThrow();
    assertThat(CliIT.cli(concat(target, "partition", "migrate", "kv2", "p-1", "--to", to)).code()).isZero();
    await().atMost(Duration.ofSeconds(30)).until(() -> services.status("kv2").getPartitionsList().stream()
        .anyMatch(p -> p.getId().equals("p-1") && p.getOwner().equals(to)
            && p.getState() == PartitionState.PARTITION_STATE_SERVING));

    assertThat(CliIT.cli(concat(target, "partition", "unload", "kv2", "p-2")).code()).isZero();
    await().atMost(Duration.ofSeconds(30)).until(() -> services.status("kv2").getPartitionsList().stream()
        .anyMatch(p -> p.getId().equals("p-2") && p.getState() == PartitionState.PARTITION_STATE_UNASSIGNED));
    CliIT.Run moveUnassigned = CliIT.cli(concat(target, "partition", "migrate", "kv2", "p-2", "--to", to));
    assertThat(moveUnassigned.code()).isNotZero();
    assertThat(moveUnassigned.err()).contains("FAILED_PRECONDITION").contains("UNASSIGNED");
    assertThat(CliIT.cli(concat(target, "partition", "load", "kv2", "p-2")).code()).isZero();
    awaitSteady("kv2", 9);

    assertThat(CliIT.cli(concat(target, "service", "scale", "kv2", "store", "2")).code()).isZero();
    assertThat(awaitSteady("kv2", 9).getWorkersCount()).isEqualTo(2);
    assertThat(CliIT.cli(concat(target, "service", "delete", "kv2")).code()).isZero();
    CliIT.Run gone = CliIT.cli(concat(target, "service", "status", "kv2"));
    assertThat(gone.code()).isNotZero();
    assertThat(gone.err()).contains("no running service named kv2");
  }

  static String[] concat(String[] target, String... args) {
    String[] all = java.util.Arrays.copyOf(args, args.length + target.length);
    System.arraycopy(target, 0, all, args.length, target.length);
    return all;
  }

  /** A key strictly inside the partition's range (8 hex digits). */
  static String midpoint(PartitionRecord p, Random random) {
    long lo = p.getStart().isEmpty() ? 0 : Long.parseLong(p.getStart(), 16);
    long hi = p.getEnd().isEmpty() ? 1L << 32 : Long.parseLong(p.getEnd(), 16);
    return String.format("%08x", lo + 1 + (long) (random.nextDouble() * (hi - lo - 2)));
  }

  /** kill -9 of one worker's process (found through its node's task-worker). */
  static void killWorker(String appId, String nodeId, String workerId) {
    String address = cluster.status().getNodesList().stream().filter(n -> n.getNodeId().equals(nodeId))
        .findFirst().orElseThrow().getAddress();
    WorkerInfo w = Apps.workers(cluster, address, appId).stream().filter(x -> x.getWorkerId().equals(workerId))
        .findFirst().orElseThrow();
    ProcessHandle p = ProcessHandle.of(w.getPid()).orElseThrow();
    List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
    all.add(p);
    all.forEach(ProcessHandle::destroyForcibly);
    all.forEach(h -> h.onExit().join());
  }
}
