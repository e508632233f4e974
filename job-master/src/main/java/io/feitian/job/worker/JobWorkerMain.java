package io.feitian.job.worker;

import io.feitian.common.app.UserCode;
import io.feitian.common.config.ConfigLoader;
import io.feitian.common.grpc.CallSettings;
import io.feitian.common.grpc.Channels;
import io.feitian.common.pipeline.PipelineLayout;
import io.feitian.common.security.SecuritySettings;
import io.feitian.job.api.TaskProcessor;
import io.feitian.job.data.PartFetcher;
import io.feitian.proto.job.v1.TaskSpec;
import io.feitian.proto.job.v1.WorkerHello;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The Task Worker process: {@code JobWorkerMain <job-master host:port> <task name>},
 * started by a job-master through a task-worker, which sets FEITIAN_APP_ID,
 * FEITIAN_WORKER_ID, FEITIAN_GRANT_ID, FEITIAN_WORK_DIR, FEITIAN_NODE_ID,
 * FEITIAN_NODE_ADDRESS and FEITIAN_PIPELINE_DIR; its job-master adds
 * FEITIAN_ZK, FEITIAN_CLUSTER and FEITIAN_ZK_ROOT, with which it finds a
 * restarted job-master. Exits 0 when stopped by its master, 1 when the
 * master went away and no successor took it back.
 */
public final class JobWorkerMain {
  private JobWorkerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: JobWorkerMain <job-master host:port> <task name>");
      System.exit(2);
    }
    String appId = env("FEITIAN_APP_ID");
    WorkerHello hello = WorkerHello.newBuilder().setAppId(appId).setTask(args[1])
        .setWorkerId(env("FEITIAN_WORKER_ID")).setGrantId(Long.parseLong(env("FEITIAN_GRANT_ID")))
        .setNodeId(env("FEITIAN_NODE_ID")).setNodeAddress(env("FEITIAN_NODE_ADDRESS")).build();
    // The node's security settings (its task-worker hands them down) reach pipeline data on any node
    // and the job-master.
    var config = ConfigLoader.load(null);
    SecuritySettings security = SecuritySettings.from(config);
    CallSettings calls = new CallSettings(security.credentials(), Duration.ofSeconds(30));
    Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    Function<String, Channel> channel = a -> channels.computeIfAbsent(a, x -> Channels.open(x, security));
    PartFetcher fetcher = new PartFetcher(channel, calls);
    PipelineLayout pipeline = new PipelineLayout(Path.of(env("FEITIAN_PIPELINE_DIR")));
    Path attempts = Path.of(env("FEITIAN_WORK_DIR")).resolve("attempts");
    // The task comes from the job-master, as the job was accepted (WorkerCommand.task).
    Function<TaskSpec, JobWorker.AttemptRunner> runners = task -> new InstanceRunner(appId, task, pipeline, fetcher,
        attempts, processors(task));
    try (MasterFinder finder = new MasterFinder(config, appId)) {
      Status end = new JobWorker(hello, runners).run(channel, args[0], finder.usable() ? finder : null);
      channels.values().forEach(ManagedChannel::shutdownNow);
      System.exit(end.isOk() ? 0 : 1);
    }
  }

  /** A thread-mode task's processors, loaded from its jars; null in process mode. */
  private static UserCode<TaskProcessor> processors(TaskSpec task) {
    if (!task.getProgram().hasThread()) {
      return null;
    }
    try {
      return UserCode.load("program.thread.jars", task.getProgram().getThread().getJarsList(),
          task.getProgram().getThread().getProcessorClass(), TaskProcessor.class);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read program.thread.jars: " + e.getMessage(), e);
    }
  }

  private static String env(String name) {
    String v = System.getenv(name);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException(name + " is not set: JobWorkerMain runs under a task-worker");
    }
    return v;
  }
}
