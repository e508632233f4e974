package io.feitian.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.feitian.client.ClusterTarget;
import io.feitian.client.FeitianClient;
import io.feitian.common.security.Pki;
import io.feitian.common.security.TlsSettings;
import io.feitian.common.grpc.Channels;
import io.feitian.common.security.BearerToken;
import io.feitian.common.security.SecuritySettings;
import io.feitian.examples.sort.GenerateRecords;
import io.feitian.job.client.JobClient;
import io.feitian.proto.examples.v1.GetRequest;
import io.feitian.proto.examples.v1.KeyValueGrpc;
import io.feitian.proto.examples.v1.PutRequest;
import io.feitian.proto.fuxi.v1.ClusterServiceGrpc;
import io.feitian.proto.fuxi.v1.GetAppRequest;
import io.feitian.proto.fuxi.v1.KillAppRequest;
import io.feitian.proto.fuxi.v1.LaunchRequest;
import io.feitian.proto.fuxi.v1.ListAppsRequest;
import io.feitian.proto.fuxi.v1.ListWorkersRequest;
import io.feitian.proto.fuxi.v1.NodeServiceGrpc;
import io.feitian.proto.fuxi.v1.RegisterNodeRequest;
import io.feitian.proto.fuxi.v1.SubmitAppRequest;
import io.feitian.proto.fuxi.v1.TaskWorkerServiceGrpc;
import io.feitian.proto.job.v1.FetchRequest;
import io.feitian.proto.job.v1.GetJobRequest;
import io.feitian.proto.job.v1.JobServiceGrpc;
import io.feitian.proto.job.v1.JobSpec;
import io.feitian.proto.job.v1.JobState;
import io.feitian.proto.job.v1.JobStatus;
import io.feitian.proto.job.v1.JobWorkerServiceGrpc;
import io.feitian.proto.job.v1.KillJobRequest;
import io.feitian.proto.job.v1.PipelineDataGrpc;
import io.feitian.proto.job.v1.ProcessMode;
import io.feitian.proto.job.v1.ProgramSpec;
import io.feitian.proto.job.v1.ReleaseRequest;
import io.feitian.proto.job.v1.WorkerCommand;
import io.feitian.proto.job.v1.WorkerMessage;
import io.feitian.proto.service.v1.GetServiceRequest;
import io.feitian.proto.service.v1.PartitionRecord;
import io.feitian.proto.service.v1.PartitionState;
import io.feitian.proto.service.v1.ScaleRequest;
import io.feitian.proto.service.v1.ServiceAdminGrpc;
import io.feitian.proto.service.v1.ServiceStatus;
import io.feitian.proto.service.v1.ServiceWorkerControlGrpc;
import io.feitian.proto.service.v1.WorkerStatusRequest;
import io.feitian.service.client.ServiceAdmins;
import io.feitian.service.client.ServiceClient;
import io.feitian.service.client.ServiceKeys;
import io.grpc.ManagedChannel;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert;
import io.feitian.proto.fuxi.v1.GetClusterStatusRequest;
import io.feitian.proto.fuxi.v1.NodeStatus;
import io.feitian.proto.fuxi.v1.SetQuotaRequest;
import io.feitian.proto.fuxi.v1.QuotaGroup;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster of real daemons with mutual TLS and tokens everywhere: nodes
 * with a certificate from the cluster CA join; one with another CA's
 * certificate cannot register; clients need the CA, a certificate and a token.
 */
class SecureClusterIT {
  static final String ADMIN = "0123456789abcdef0123456789abcdef";
  static final String USER = "fedcba9876543210fedcba9876543210";

  @TempDir
  Path dir;

  private static String[] tls(Pki.Issued id, Path ca) {
    return new String[] {"--set", "feitian.security.tls.enabled=true",
        "--set", "feitian.security.tls.cert=" + id.cert(), "--set", "feitian.security.tls.key=" + id.key(),
        "--set", "feitian.security.tls.ca=" + ca, "--set", "feitian.security.tls.client-auth=require"};
  }

  @Test
  void onlyNodesWithAClusterCertificateJoinAndCallsNeedTokens() throws Exception {
    Pki pki = new Pki(dir.resolve("pki"), "cluster-ca");
    Pki rogue = new Pki(dir.resolve("rogue"), "rogue-ca");
    Pki.Issued client = pki.issue("operator");
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, ADMIN + " admin daemons\n" + USER + " user alice\n");
    FeitianClient.Options adminOptions = FeitianClient.Options.defaults().withRetryWindow(Duration.ofSeconds(20))
        .withTls(TlsSettings.client(pki.caPath().toFile(), client.cert().toFile(), client.key().toFile()))
        .withToken(ADMIN);

    try (TestCluster c = new TestCluster(dir).withClientOptions(adminOptions).withArgs(
        "--set", "feitian.security.auth.enabled=true", "--set", "feitian.security.auth.tokens-file=" + tokens,
        "--set", "feitian.security.token=" + ADMIN)) {
      c.startMaster(tls(pki.issue("master"), pki.caPath()));
      c.startWorker("node-good", "r1", tls(pki.issue("node-good"), pki.caPath()));
      c.startWorker("node-rogue", "r1", tls(rogue.issue("node-rogue"), pki.caPath()));

      c.awaitAliveNodes(1);
      // Give the rogue node ample time to try; it must never appear.
      await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
          .until(() -> c.log("node-rogue").contains("not usable") || c.log("node-rogue").contains("failed"));
      List<String> nodes = c.status().getNodesList().stream().map(NodeStatus::getNodeId).toList();
      assertThat(nodes).containsExactly("node-good");

      // A user token may read but not change quotas; no token at all is refused.
      String leader = c.client().findLeader();
      try (FeitianClient user = new FeitianClient(new ClusterTarget.Masters(List.of(leader)),
          adminOptions.withToken(USER).withRetryWindow(Duration.ofMillis(100)))) {
        assertThat(user.cluster(s -> s.getClusterStatus(GetClusterStatusRequest.getDefaultInstance())).getNodesCount())
            .isEqualTo(1);
        assertThatThrownBy(() -> user.cluster(s -> s.setQuota(SetQuotaRequest.newBuilder()
            .setQuota(QuotaGroup.newBuilder().setName("g")).build())))
            .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
      }
      try (FeitianClient plaintext = new FeitianClient(new ClusterTarget.Masters(List.of(leader)),
          FeitianClient.Options.defaults().withToken(ADMIN).withRetryWindow(Duration.ofMillis(500)))) {
        assertThatThrownBy(() -> plaintext.cluster(s -> s.getClusterStatus(GetClusterStatusRequest.getDefaultInstance())))
            .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.UNAVAILABLE))
            .hasMessageContaining(leader + " requires TLS and this client connects without it");
      }
      try (FeitianClient anonymous = new FeitianClient(new ClusterTarget.Masters(List.of(leader)),
          adminOptions.withToken(null).withRetryWindow(Duration.ofMillis(100)))) {
        assertThatThrownBy(() -> anonymous.cluster(s -> s.getClusterStatus(GetClusterStatusRequest.getDefaultInstance())))
            .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
      }
    }
  }

  static final String DAEMONS = "daemon-token-0123456789abcdef0123";
  static final String ALICE = "alice-token-0123456789abcdef01234";
  static final String BOB = "bob-token-0123456789abcdef0123456";
  static final String VIEWER = "viewer-token-0123456789abcdef0123";

  /**
   * Jobs and services run on a cluster with mutual TLS and tokens on every
   * endpoint, their masters and workers using the credentials their node
   * hands down; and every server (fuxi-master, task-worker, pipeline data,
   * job-master, service-master, service worker) refuses a raw gRPC call
   * without a token and one whose token's role or owner does not allow it.
   */
  @Test
  void jobsAndServicesRunSecuredAndEveryServerRefusesStrangers() throws Exception {
    Pki pki = new Pki(dir.resolve("pki"), "cluster-ca");
    Pki.Issued node = pki.issue("node");
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, DAEMONS + " admin daemons\n" + ALICE + " user alice\n" + BOB + " user bob\n"
        + VIEWER + " reader viewer\n");
    Path daemonToken = dir.resolve("daemon.token");
    Files.writeString(daemonToken, DAEMONS + "\n");
    TlsSettings clientTls = TlsSettings.client(pki.caPath().toFile(), node.cert().toFile(), node.key().toFile());
    FeitianClient.Options alice = FeitianClient.Options.defaults().withRetryWindow(Duration.ofSeconds(20))
        .withTls(clientTls).withToken(ALICE);

    try (TestCluster c = new TestCluster(dir).withClientOptions(alice).withArgs(
        "--set", "feitian.security.auth.enabled=true", "--set", "feitian.security.auth.tokens-file=" + tokens,
        "--set", "feitian.security.token-file=" + daemonToken)) {
      c.startMaster(tls(node, pki.caPath()));
      c.startWorker("tw-1", "r1", tls(node, pki.caPath()));
      c.startWorker("tw-2", "r2", tls(node, pki.caPath()));
      c.awaitAliveNodes(2);
      JobClient jobs = new JobClient(c.client());

      // A job with a pipeline between a process task and a thread task: its workers fetch pipeline data.
      Path records = dir.resolve("records");
      GenerateRecords.generate(records, 2, 500, 7);
      Path out = dir.resolve("out-sort");
      Jobs.assertSucceeded(Jobs.run(jobs, jobs.submit(Jobs.sort(records, out)), Duration.ofSeconds(120)));
      assertThat(Jobs.outputLines(out, "sort")).isEqualTo(Jobs.sorted(records));

      // A service, split and migrated, reads back what was written.
      ServiceAdmins services = new ServiceAdmins(c.client());
      String serviceId = services.create(ServicesIT.kv(dir, "kv", 2, 2));
      ServiceStatus steady = awaitServing(services, 2);
      try (ServiceClient kv = new ServiceClient(c.client(), serviceId, Duration.ofSeconds(30))) {
        for (int i = 0; i < 20; i++) {
          put(kv, "key-" + i, "value-" + i);
        }
        PartitionRecord first = steady.getPartitions(0);
        services.split("kv", first.getId(), ServicesIT.midpoint(first, new java.util.Random(1)));
        ServiceStatus split = awaitServing(services, 3);
        PartitionRecord moving = split.getPartitions(0);
        String to = split.getWorkersList().stream().map(w -> w.getWorkerId())
            .filter(w -> !w.equals(moving.getOwner())).findFirst().orElseThrow();
        services.migrate("kv", moving.getId(), to);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> services.status("kv")
            .getPartitionsList().stream().anyMatch(p -> p.getId().equals(moving.getId()) && p.getOwner().equals(to)
                && p.getState() == PartitionState.PARTITION_STATE_SERVING));
        for (int i = 0; i < 20; i++) {
          String key = "key-" + i;
          assertThat(kv.call(ServiceKeys.hash(key), ch -> KeyValueGrpc.newBlockingStub(ch)
              .withDeadlineAfter(5, TimeUnit.SECONDS).get(GetRequest.newBuilder().setKey(key).build())).getValue())
              .isEqualTo("value-" + i);
        }
      }

      // A job that runs until killed, whose job-master's endpoint is asked below.
      String sleep = "sleep 600." + ProcessHandle.current().pid();
      JobSpec.Builder endless = Jobs.example("wordcount", dir.resolve("out-endless")).toBuilder().setName("endless");
      endless.getTasksBuilder(0).setProgram(ProgramSpec.newBuilder().setProcess(ProcessMode.newBuilder()
          .addArgv("sh").addArgv("-c").addArgv(sleep)));
      String jobId = jobs.submit(endless.build());
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        JobStatus s = jobs.status(jobId);
        return s.getTasksCount() > 0 && s.getTasks(0).getRunning() > 0;
      });

      String master = c.client().findLeader();
      String taskWorker = c.status().getNodes(0).getAddress();
      String jobMaster = jobs.status(jobId).getMasterEndpoint();
      String serviceMaster = services.app("kv").getEndpoint();
      String serviceWorker = services.status("kv").getWorkers(0).getEndpoint();
      ManagedChannel[] channels = {Channels.open(master, SecuritySettings.client(clientTls, Optional.empty())),
          Channels.open(taskWorker, SecuritySettings.client(clientTls, Optional.empty())),
          Channels.open(jobMaster, SecuritySettings.client(clientTls, Optional.empty())),
          Channels.open(serviceMaster, SecuritySettings.client(clientTls, Optional.empty())),
          Channels.open(serviceWorker, SecuritySettings.client(clientTls, Optional.empty()))};
      try {
        var fuxi = ClusterServiceGrpc.newBlockingStub(channels[0]).withDeadlineAfter(10, TimeUnit.SECONDS);
        refused(Status.Code.UNAUTHENTICATED, () -> fuxi.getClusterStatus(GetClusterStatusRequest.getDefaultInstance()));
        refused(Status.Code.UNAUTHENTICATED, () -> fuxi.withCallCredentials(new BearerToken("not-a-token-at-all-0123"))
            .listApps(ListAppsRequest.getDefaultInstance()));
        refused(Status.Code.PERMISSION_DENIED, () -> as(fuxi, BOB).getApp(GetAppRequest.newBuilder().setAppId(jobId).build()));
        refused(Status.Code.PERMISSION_DENIED, () -> as(fuxi, BOB).killApp(KillAppRequest.newBuilder().setAppId(jobId).build()));
        refused(Status.Code.PERMISSION_DENIED, () -> as(fuxi, VIEWER).submitApp(SubmitAppRequest.getDefaultInstance()));
        refused(Status.Code.PERMISSION_DENIED, () -> as(fuxi, ALICE).setQuota(SetQuotaRequest.newBuilder()
            .setQuota(QuotaGroup.newBuilder().setName("g")).build()));
        refused(Status.Code.PERMISSION_DENIED, () -> as(NodeServiceGrpc.newBlockingStub(channels[0]), ALICE)
            .register(RegisterNodeRequest.newBuilder().setNodeId("intruder").build()));
        assertThat(as(fuxi, BOB).listApps(ListAppsRequest.getDefaultInstance()).getAppsList())
            .as("a user lists its own applications only").isEmpty();
        assertThat(as(fuxi, VIEWER).getApp(GetAppRequest.newBuilder().setAppId(jobId).build()).getOwner())
            .isEqualTo("alice");

        var workers = TaskWorkerServiceGrpc.newBlockingStub(channels[1]).withDeadlineAfter(10, TimeUnit.SECONDS);
        refused(Status.Code.UNAUTHENTICATED, () -> workers.listWorkers(ListWorkersRequest.getDefaultInstance()));
        refused(Status.Code.PERMISSION_DENIED, () -> as(workers, ALICE).listWorkers(ListWorkersRequest.getDefaultInstance()));
        refused(Status.Code.PERMISSION_DENIED, () -> as(workers, ALICE).launch(LaunchRequest.newBuilder()
            .setAppId(jobId).build()));
        var data = PipelineDataGrpc.newBlockingStub(channels[1]).withDeadlineAfter(10, TimeUnit.SECONDS);
        FetchRequest fetch = FetchRequest.newBuilder().setAppId(jobId).setTask("tokenize").build();
        refused(Status.Code.UNAUTHENTICATED, () -> data.fetch(fetch).hasNext());
        refused(Status.Code.PERMISSION_DENIED, () -> as(data, ALICE).fetch(fetch).hasNext());
        refused(Status.Code.PERMISSION_DENIED, () -> as(data, ALICE).release(ReleaseRequest.newBuilder()
            .setAppId(jobId).build()));

        var job = JobServiceGrpc.newBlockingStub(channels[2]).withDeadlineAfter(10, TimeUnit.SECONDS);
        GetJobRequest get = GetJobRequest.newBuilder().setJobId(jobId).build();
        KillJobRequest kill = KillJobRequest.newBuilder().setJobId(jobId).build();
        refused(Status.Code.UNAUTHENTICATED, () -> job.getJob(get));
        refused(Status.Code.PERMISSION_DENIED, () -> as(job, BOB).getJob(get));
        refused(Status.Code.PERMISSION_DENIED, () -> as(job, BOB).killJob(kill));
        refused(Status.Code.PERMISSION_DENIED, () -> as(job, VIEWER).killJob(kill));
        assertThat(as(job, VIEWER).getJob(get).getState()).isEqualTo(JobState.JOB_STATE_RUNNING);
        CompletableFuture<Status> work = new CompletableFuture<>();
        JobWorkerServiceGrpc.newStub(channels[2]).withCallCredentials(new BearerToken(ALICE))
            .work(new StreamObserver<>() {
              @Override
              public void onNext(WorkerCommand value) {}

              @Override
              public void onError(Throwable t) {
                work.complete(Status.fromThrowable(t));
              }

              @Override
              public void onCompleted() {
                work.complete(Status.OK);
              }
            }).onNext(WorkerMessage.getDefaultInstance());
        assertThat(work.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);

        var admin = ServiceAdminGrpc.newBlockingStub(channels[3]).withDeadlineAfter(10, TimeUnit.SECONDS);
        GetServiceRequest getService = GetServiceRequest.getDefaultInstance();
        ScaleRequest scale = ScaleRequest.newBuilder().setRole("store").setWorkers(1).build();
        refused(Status.Code.UNAUTHENTICATED, () -> admin.getService(getService));
        refused(Status.Code.PERMISSION_DENIED, () -> as(admin, BOB).getService(getService));
        refused(Status.Code.PERMISSION_DENIED, () -> as(admin, BOB).scale(scale));
        refused(Status.Code.PERMISSION_DENIED, () -> as(admin, VIEWER).scale(scale));
        assertThat(as(admin, VIEWER).getService(getService).getRoles(0).getWanted()).as("not scaled").isEqualTo(2);

        var keyValue = KeyValueGrpc.newBlockingStub(channels[4]).withDeadlineAfter(10, TimeUnit.SECONDS);
        refused(Status.Code.UNAUTHENTICATED, () -> keyValue.get(GetRequest.newBuilder().setKey("key-1").build()));
        refused(Status.Code.PERMISSION_DENIED, () -> as(keyValue, VIEWER).put(PutRequest.newBuilder()
            .setKey("key-1").setValue("overwritten").build()));
        refused(Status.Code.PERMISSION_DENIED, () -> as(ServiceWorkerControlGrpc.newBlockingStub(channels[4]), ALICE)
            .withDeadlineAfter(10, TimeUnit.SECONDS).status(WorkerStatusRequest.getDefaultInstance()));
      } finally {
        for (ManagedChannel ch : channels) {
          Channels.close(ch);
        }
      }
      // The owner may kill its job.
      assertThat(Jobs.run(jobs, jobs.kill(jobId, "done").getJobId(), Duration.ofSeconds(60)).getState())
          .isEqualTo(JobState.JOB_STATE_KILLED);
    }
  }

  private static <S extends AbstractStub<S>> S as(S stub, String token) {
    return stub.withCallCredentials(new BearerToken(token));
  }

  private static void refused(Status.Code code, ThrowableAssert.ThrowingCallable call) {
    assertThatThrownBy(call).satisfies(e -> assertThat(Status.fromThrowable(e).getCode())
        .as(String.valueOf(Status.fromThrowable(e))).isEqualTo(code));
  }

  private static void put(ServiceClient kv, String key, String value) throws InterruptedException {
    kv.call(ServiceKeys.hash(key), ch -> KeyValueGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
        .put(PutRequest.newBuilder().setKey(key).setValue(value).build()));
  }

  private static ServiceStatus awaitServing(ServiceAdmins services, int partitions) {
    ServiceStatus[] last = new ServiceStatus[1];
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
      last[0] = services.status("kv");
      return last[0].getRolesList().stream().allMatch(r -> r.getRunning() == r.getWanted())
          && last[0].getPartitionsCount() == partitions && last[0].getPartitionsList().stream()
          .allMatch(p -> p.getState() == PartitionState.PARTITION_STATE_SERVING);
    });
    return last[0];
  }
}
