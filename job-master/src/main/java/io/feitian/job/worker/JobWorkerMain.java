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
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The Task Worker process: {@code JobWorkerMain <job-master host:port> <base64 TaskSpec>},
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
      System.err.println("usage: JobWorkerMain <job-master host:port> <base64 TaskSpec>");
      System.exit(2);
    }
    TaskSpec task = TaskSpec.parseFrom(Base64.getDecoder().decode(args[1]));
    String appId = env("FEITIAN_APP_ID");
    int slots = task.getProgram().hasThread() ? Math.max(1, task.getProgram().getThread().getThreads()) : 1;
    WorkerHello hello = WorkerHello.newBuilder().setAppId(appId).setTask(task.getName())
        .setWorkerId(env("FEITIAN_WORKER_ID")).setGrantId(Long.parseLong(env("FEITIAN_GRANT_ID")))
        .setNodeId(env("FEITIAN_NODE_ID")).setNodeAddress(env("FEITIAN_NODE_ADDRESS")).setSlots(slots).build();
    // The node's security settings (its task-worker hands them down) reach pipeline data on any node
    // and the job-master.
    var config = ConfigLoader.load(null);
    SecuritySettings security = SecuritySettings.from(config);
    CallSettings calls = new CallSettings(security.credentials(), Duration.ofSeconds(30));
    Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    Function<String, Channel> channel = a -> channels.computeIfAbsent(a, x -> Channels.open(x, security));
    PartFetcher fetcher = new PartFetcher(channel, calls);
    UserCode<TaskProcessor> processors = task.getProgram().hasThread()
        ? UserCode.load("program.thread.jars", task.getProgram().getThread().getJarsList(),
            task.getProgram().getThread().getProcessorClass(), TaskProcessor.class)
        : null;
    InstanceRunner runner = new InstanceRunner(appId, task, new PipelineLayout(Path.of(env("FEITIAN_PIPELINE_DIR"))),
        fetcher, Path.of(env("FEITIAN_WORK_DIR")).resolve("attempts"), processors);
    try (MasterFinder finder = new MasterFinder(config, appId)) {
      Status end = new JobWorker(hello, runner).run(channel, args[0], finder.usable() ? finder : null);
      channels.values().forEach(ManagedChannel::shutdownNow);
      System.exit(end.isOk() ? 0 : 1);
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
