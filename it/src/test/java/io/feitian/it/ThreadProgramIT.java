package io.feitian.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.feitian.client.AppMasterSession;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.fuxi.v1.LaunchRequest;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import io.feitian.proto.fuxi.v1.LocalityLevel;
import io.feitian.proto.fuxi.v1.ThreadProgram;
import io.feitian.proto.fuxi.v1.WorkerInfo;
import io.feitian.proto.fuxi.v1.WorkerState;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Thread programs: a worker JVM per grant whose program runs its instances in threads. */
class ThreadProgramIT {
  @TempDir
  Path dir;

  @Test
  void aThreadProgramRunsInAWorkerJvmSizedByItsGrant() throws Exception {
    try (TestCluster c = new TestCluster(dir)) {
      c.startMaster();
      c.startWorker("node-a", "r1");
      c.awaitAliveNodes(1);
      String appId = Apps.submitSleeping(c);
      try (AppMasterSession session = new AppMasterSession(c.client(), appId, new FailoverIT.Recorder())) {
        session.start();
        session.request("jvm", Resources.newBuilder().setCpuMillis(1000).setMemoryMib(512).build(), 1,
            LocalityLevel.LOCALITY_LEVEL_CLUSTER, "", 1, false);
        await().atMost(Duration.ofSeconds(10)).until(() -> session.grants().size() == 1);
        Grant g = session.grants().get(0);
        String classes = Path.of(ThreadProgramMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
        LaunchSpec.Builder spec = LaunchSpec.newBuilder().setName("tw").setThread(ThreadProgram.newBuilder()
            .setMainClass(ThreadProgramMain.class.getName()).addClasspath(classes).addArgs("8"));
        WorkerInfo w = Apps.node(c, g.getNodeAddress()).launch(LaunchRequest.newBuilder().setAppId(appId)
            .setGrantId(g.getGrantId()).setSpec(spec).build()).getWorker();

        await().atMost(Duration.ofSeconds(20)).until(() -> Apps.workers(c, g.getNodeAddress(), appId).stream()
            .anyMatch(x -> x.getWorkerId().equals(w.getWorkerId()) && x.getState() == WorkerState.WORKER_STATE_EXITED));
        WorkerInfo ended = Apps.workers(c, g.getNodeAddress(), appId).stream()
            .filter(x -> x.getWorkerId().equals(w.getWorkerId())).findFirst().orElseThrow();
        assertThat(ended.getExitCode()).isZero();
        List<String> out = Files.readAllLines(Path.of(ended.getWorkDir()).getParent().resolve("stdout.log"));
        assertThat(out.stream().filter(l -> l.startsWith("instance "))).hasSize(8);
        // One JVM ran them all, with a heap of three quarters of the grant's 512 MiB.
        assertThat(out.stream().filter(l -> l.startsWith("instance ")).map(l -> l.substring(l.lastIndexOf(' '))).distinct())
            .hasSize(1);
        assertThat(out).anyMatch(l -> l.startsWith("max heap MiB 3"));

        // Bad thread programs are refused before anything starts.
        LaunchSpec.Builder badClass = spec.clone().setThread(spec.getThread().toBuilder().setMainClass("not a class"));
        assertThatThrownBy(() -> Apps.node(c, g.getNodeAddress()).launch(LaunchRequest.newBuilder().setAppId(appId)
            .setGrantId(g.getGrantId()).setSpec(badClass).build()))
            .satisfies(e -> {
              assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(Status.fromThrowable(e).getDescription()).contains("spec.thread.main_class");
            });
        LaunchSpec.Builder badPath = spec.clone().setThread(spec.getThread().toBuilder().setClasspath(0, "/no/such.jar"));
        assertThatThrownBy(() -> Apps.node(c, g.getNodeAddress()).launch(LaunchRequest.newBuilder().setAppId(appId)
            .setGrantId(g.getGrantId()).setSpec(badPath).build()))
            .satisfies(e -> assertThat(Status.fromThrowable(e).getDescription()).contains("spec.thread.classpath[0]"));
      }
    }
  }
}
