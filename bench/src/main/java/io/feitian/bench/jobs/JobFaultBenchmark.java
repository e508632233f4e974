package io.feitian.bench.jobs;

import io.feitian.bench.WorkerProcesses;
import io.feitian.client.ClusterTarget;
import io.feitian.client.FeitianClient;
import io.feitian.client.local.LocalCluster;
import io.feitian.examples.sort.GenerateRecords;
import io.feitian.examples.sort.SortPartition;
import io.feitian.job.client.JobClient;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.GetAppRequest;
import io.feitian.proto.fuxi.v1.GetClusterStatusRequest;
import io.feitian.proto.job.v1.FaultPolicy;
import io.feitian.proto.job.v1.InputSpec;
import io.feitian.proto.job.v1.JobSpec;
import io.feitian.proto.job.v1.JobState;
import io.feitian.proto.job.v1.JobStatus;
import io.feitian.proto.job.v1.Movement;
import io.feitian.proto.job.v1.PipelineSpec;
import io.feitian.proto.job.v1.ProcessMode;
import io.feitian.proto.job.v1.ProgramSpec;
import io.feitian.proto.job.v1.TaskSpec;
import io.feitian.proto.job.v1.ThreadMode;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Job completion time under faults, as the Fuxi paper measures slowdown under
 * fault injection: the same job, in the same run, with no fault, with a
 * straggler (with and without backup instances), with one job-master kill -9
 * and with one node lost (its task-worker and every process it started
 * killed), on a local cluster of one fuxi-master and three task-workers with
 * the shipped defaults (heartbeat 1 s, node timeout 6 s, master restart
 * backoff 1 s).
 *
 * <p>The job: {@code copy} (24 instances of a shell command that takes about
 * a second and copies its split) scatter-gathers on the key into {@code sort}
 * (3 instances, thread mode). Kills happen once 40% of copy's instances are
 * done. Usage: {@code JobFaultBenchmark [--runs N] [--straggle-s S] [--dir D]}.
 */
public final class JobFaultBenchmark {
  private final Path dir;
  private final int straggleSeconds;
  private final LocalCluster cluster;
  private final LocalCluster.Layout layout;
  private final Path records;

  private JobFaultBenchmark(Path dir, int straggleSeconds) throws Exception {
    this.dir = dir;
    this.straggleSeconds = straggleSeconds;
    int base = 23000 + (int) (ProcessHandle.current().pid() % 1000) * 10;
    this.layout = new LocalCluster.Layout(dir.resolve("cluster"), base, base + 1, base + 3, 1, 3, 4000, 4096);
    this.cluster = new LocalCluster(layout, new PrintStream(OutputStream.nullOutputStream()));
    this.records = dir.resolve("records");
    GenerateRecords.generate(records, 8, 20_000, 11);
  }

  public static void main(String[] args) throws Exception {
    int runs = 2;
    int straggle = 30;
    Path dir = Files.createTempDirectory("feitian-job-faults");
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[i + 1]);
        case "--straggle-s" -> straggle = Integer.parseInt(args[i + 1]);
        case "--dir" -> dir = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    JobFaultBenchmark b = new JobFaultBenchmark(dir, straggle);
    b.cluster.up();
    try {
      b.run(runs);
    } finally {
      b.cluster.stop();
    }
  }

  private enum Fault { NONE, STRAGGLER_WITH_BACKUPS, STRAGGLER_WITHOUT_BACKUPS, JOB_MASTER_KILL, NODE_LOSS }

  private void run(int runs) throws Exception {
    Map<Fault, List<Double>> seconds = new LinkedHashMap<>();
    try (FeitianClient client = new FeitianClient(new ClusterTarget.ZooKeeper(layout.zkConnect(),
        LocalCluster.CLUSTER_NAME, "feitian"), FeitianClient.Options.defaults())) {
      JobClient jobs = new JobClient(client);
      int n = 0;
      for (int r = 0; r < runs; r++) {
        for (Fault f : Fault.values()) {
          double s = once(client, jobs, f, ++n);
          seconds.computeIfAbsent(f, k -> new ArrayList<>()).add(s);
          System.out.printf(Locale.ROOT, "[run %d] %-26s %6.1f s%n", r + 1, f, s);
        }
      }
    }
    double base = median(seconds.get(Fault.NONE));
    System.out.println();
    System.out.println("| fault | runs | completion (s) | median | slowdown |");
    System.out.println("| --- | --- | --- | --- | --- |");
    seconds.forEach((f, list) -> System.out.printf(Locale.ROOT, "| %s | %d | %s | %.1f s | %+.0f%% |%n",
        f.name().toLowerCase(Locale.ROOT).replace('_', ' '), list.size(),
        String.join(", ", list.stream().map(x -> String.format(Locale.ROOT, "%.1f", x)).toList()),
        median(list), (median(list) / base - 1) * 100));
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    return s.get(s.size() / 2);
  }

  private JobSpec spec(Fault f, int n) {
    boolean straggle = f == Fault.STRAGGLER_WITH_BACKUPS || f == Fault.STRAGGLER_WITHOUT_BACKUPS;
    String script = (straggle ? "if [ \"$FEITIAN_INSTANCE\" = 0 ] && [ \"$FEITIAN_ATTEMPT\" = 0 ]; then sleep "
        + straggleSeconds + "; fi; " : "") + "sleep 1; cat";
    String jar = SortPartition.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    return JobSpec.newBuilder().setName("faults-" + n).setOutputDir(dir.resolve("out-" + n).toString())
        .setFaults(FaultPolicy.newBuilder().setNoBackups(f == Fault.STRAGGLER_WITHOUT_BACKUPS))
        .addTasks(TaskSpec.newBuilder().setName("copy")
            .setInput(InputSpec.newBuilder().addPaths(records.toString()).setSplitBytes(400_000))
            .setResources(Resources.newBuilder().setCpuMillis(500).setMemoryMib(256))
            .setProgram(ProgramSpec.newBuilder().setProcess(ProcessMode.newBuilder()
                .addArgv("sh").addArgv("-c").addArgv(script))))
        .addTasks(TaskSpec.newBuilder().setName("sort")
            .setResources(Resources.newBuilder().setCpuMillis(1000).setMemoryMib(512))
            .setProgram(ProgramSpec.newBuilder().setThread(ThreadMode.newBuilder().addJars(jar)
                .setProcessorClass(SortPartition.class.getName()))))
        .addPipelines(PipelineSpec.newBuilder().setFrom("copy").setTo("sort")
            .setMovement(Movement.MOVEMENT_SCATTER_GATHER).setPartitions(3))
        .build();
  }

  /** Runs the job once with the fault; returns seconds from submission to its end. */
  private double once(FeitianClient client, JobClient jobs, Fault f, int n) throws Exception {
    long start = System.nanoTime();
    String id = jobs.submit(spec(f, n));
    AtomicBoolean injected = new AtomicBoolean(f != Fault.JOB_MASTER_KILL && f != Fault.NODE_LOSS);
    List<Runnable> after = new ArrayList<>();
    JobStatus end = jobs.watch(id, s -> {
      if (!injected.get() && s.getTasksCount() > 0
          && s.getTasks(0).getDone() * 10 >= s.getTasks(0).getInstances() * 4) {
        injected.set(true);
        try {
          if (f == Fault.JOB_MASTER_KILL) {
            killMaster(client, id);
          } else {
            after.add(killNodeWithOutputs(client, id));
          }
        } catch (Exception e) {
          throw new IllegalStateException("could not inject " + f, e);
        }
      }
    });
    double seconds = (System.nanoTime() - start) / 1e9;
    for (Runnable r : after) {
      r.run();
    }
    if (end.getState() != JobState.JOB_STATE_SUCCEEDED) {
      throw new IllegalStateException(f + ": the job ended " + end.getState() + ": " + end.getMessage());
    }
    return seconds;
  }

  private static void killMaster(FeitianClient client, String id) {
    AppInfo app = client.cluster(c -> c.getApp(GetAppRequest.newBuilder().setAppId(id).build()));
    WorkerProcesses.kill(client, app.getMasterNodeId(), id, app.getMasterWorkerId());
  }

  /**
   * Kills a task-worker that is not the job-master's (so this measures node
   * loss alone), with everything it started; returns how to bring it back.
   */
  private Runnable killNodeWithOutputs(FeitianClient client, String id) {
    String masterNode = client.cluster(c -> c.getApp(GetAppRequest.newBuilder().setAppId(id).build()))
        .getMasterNodeId();
    int i = masterNode.equals("node-3") ? 2 : 3;
    LocalCluster.Member victim = cluster.members().stream().filter(m -> m.name().equals("task-worker-" + i))
        .findFirst().orElseThrow();
    WorkerProcesses.killTree(victim.pid());
    return () -> {
      try {
        cluster.restartWorker(i);
        // Wait until the node is back before the next run.
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (client.cluster(c -> c.getClusterStatus(GetClusterStatusRequest.getDefaultInstance())).getNodesList()
            .stream().filter(x -> x.getState() == io.feitian.proto.fuxi.v1.NodeState.NODE_STATE_ALIVE).count() < 3) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("node-" + i + " did not come back");
          }
          Thread.sleep(200);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
  }
}
