package io.feitian.it;

import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.AppSpec;
import io.feitian.proto.fuxi.v1.GetAppRequest;
import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.fuxi.v1.LaunchRequest;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import io.feitian.proto.fuxi.v1.ListWorkersRequest;
import io.feitian.proto.fuxi.v1.ProcessProgram;
import io.feitian.proto.fuxi.v1.SubmitAppRequest;
import io.feitian.proto.fuxi.v1.TaskWorkerServiceGrpc;
import io.feitian.proto.fuxi.v1.WorkerInfo;
import java.util.List;

/** Applications and workers for integration tests. */
final class Apps {
  static final Resources WORKER_SHAPE = Resources.newBuilder().setCpuMillis(500).setMemoryMib(256).build();

  private Apps() {}

  static AppSpec.Builder spec(String name, String... masterArgv) {
    return AppSpec.newBuilder().setName(name)
        .setMaster(LaunchSpec.newBuilder().setProcess(ProcessProgram.newBuilder().addAllArgv(List.of(masterArgv))))
        .setMasterResources(Resources.newBuilder().setCpuMillis(100).setMemoryMib(64));
  }

  /** An application whose master just sleeps: the test itself plays its master. */
  static String submitSleeping(TestCluster c) {
    return submit(c, spec("holder", "sleep", "600"));
  }

  static String submit(TestCluster c, AppSpec.Builder spec) {
    return c.client().cluster(s -> s.submitApp(SubmitAppRequest.newBuilder().setSpec(spec).build())).getAppId();
  }

  static AppInfo get(TestCluster c, String appId) {
    return c.client().cluster(s -> s.getApp(GetAppRequest.newBuilder().setAppId(appId).build()));
  }

  static TaskWorkerServiceGrpc.TaskWorkerServiceBlockingStub node(TestCluster c, String address) {
    return c.client().callSettings().unary(TaskWorkerServiceGrpc.newBlockingStub(c.client().channel(address)));
  }

  static WorkerInfo launchSleep(TestCluster c, Grant g) {
    return node(c, g.getNodeAddress()).launch(LaunchRequest.newBuilder().setAppId(g.getAppId())
        .setGrantId(g.getGrantId()).setSpec(LaunchSpec.newBuilder().setName("sleeper")
            .setProcess(ProcessProgram.newBuilder().addArgv("sleep").addArgv("600")))
        .build()).getWorker();
  }

  static List<WorkerInfo> workers(TestCluster c, String address, String appId) {
    return node(c, address).listWorkers(ListWorkersRequest.newBuilder().setAppId(appId).build()).getWorkersList();
  }

  /**
   * kill -9 of an application's master: its worker's process and everything
   * under it (the task-worker's wrapper shell and the JVM). Returns the pid.
   */
  static long killMaster(TestCluster c, String appId) {
    long pid = masterPid(c, appId);
    ProcessHandle leader = ProcessHandle.of(pid).orElseThrow();
    leader.descendants().forEach(ProcessHandle::destroyForcibly);
    leader.destroyForcibly();
    return pid;
  }

  /** The pid of the application's running master (as its node reports it). */
  static long masterPid(TestCluster c, String appId) {
    AppInfo app = get(c, appId);
    String address = c.status().getNodesList().stream().filter(n -> n.getNodeId().equals(app.getMasterNodeId()))
        .findFirst().orElseThrow().getAddress();
    return workers(c, address, appId).stream()
        .filter(w -> w.getWorkerId().equals(app.getMasterWorkerId())).findFirst().orElseThrow().getPid();
  }

  static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
