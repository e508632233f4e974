package io.feitian.job.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.proto.job.v1.AttemptRef;
import io.feitian.proto.job.v1.Assignment;
import io.feitian.proto.job.v1.InstanceResult;
import io.feitian.proto.job.v1.JobWorkerServiceGrpc;
import io.feitian.proto.job.v1.ProcessMode;
import io.feitian.proto.job.v1.ProgramSpec;
import io.feitian.proto.job.v1.Stop;
import io.feitian.proto.job.v1.TaskSpec;
import io.feitian.proto.job.v1.WorkerCommand;
import io.feitian.proto.job.v1.WorkerHello;
import io.feitian.proto.job.v1.WorkerMessage;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Task Worker's conversation with job-masters that die, over in-process
 * gRPC: results reach a master exactly when it acknowledged them.
 */
class JobWorkerTest {
  private static final WorkerHello HELLO = WorkerHello.newBuilder().setAppId("app-1").setTask("copy")
      .setWorkerId("w-1").setGrantId(7).setNodeId("n1").setNodeAddress("n1:1").build();
  /** A process task: one slot. */
  private static final TaskSpec COPY = TaskSpec.newBuilder().setName("copy").setProgram(ProgramSpec.newBuilder()
      .setProcess(ProcessMode.newBuilder().addArgv("cat"))).build();

  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final List<Server> servers = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    servers.forEach(Server::shutdownNow);
  }

  /** A job-master reduced to its worker protocol: assigns what it is given, records what it hears. */
  static final class FakeMaster extends JobWorkerServiceGrpc.JobWorkerServiceImplBase {
    final List<WorkerHello> hellos = new CopyOnWriteArrayList<>();
    final List<InstanceResult> results = new CopyOnWriteArrayList<>();
    final List<Assignment> toAssign = new CopyOnWriteArrayList<>();
    final Predicate<InstanceResult> acknowledges;
    final boolean stopsAfterResult;

    FakeMaster(Predicate<InstanceResult> acknowledges, boolean stopsAfterResult) {
      this.acknowledges = acknowledges;
      this.stopsAfterResult = stopsAfterResult;
    }

    @Override
    public StreamObserver<WorkerMessage> work(StreamObserver<WorkerCommand> out) {
      return new StreamObserver<>() {
        @Override
        public synchronized void onNext(WorkerMessage m) {
          switch (m.getKindCase()) {
            case HELLO -> {
              hellos.add(m.getHello());
              out.onNext(WorkerCommand.newBuilder().setTask(COPY).build()); // as a job-master answers every hello
            }
            case READY -> {
              if (!toAssign.isEmpty()) {
                out.onNext(WorkerCommand.newBuilder().setAssign(toAssign.remove(0)).build());
              }
            }
            case RESULT -> {
              InstanceResult r = m.getResult();
              results.add(r);
              if (acknowledges.test(r)) {
                out.onNext(WorkerCommand.newBuilder().setReceived(AttemptRef.newBuilder()
                    .setInstance(r.getInstance()).setAttempt(r.getAttempt())).build());
              }
              if (stopsAfterResult) {
                out.onNext(WorkerCommand.newBuilder().setStop(Stop.newBuilder().setReason("done")).build());
                out.onCompleted();
              }
            }
            default -> { }
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
      };
    }
  }

  private Server serve(String name, FakeMaster master) throws Exception {
    Server s = InProcessServerBuilder.forName(name).directExecutor().addService(master).build().start();
    servers.add(s);
    return s;
  }

  private ManagedChannel channel(String name) {
    return channels.computeIfAbsent(name, n -> InProcessChannelBuilder.forName(n).directExecutor().build());
  }

  private static Assignment attempt(int instance, int attempt) {
    return Assignment.newBuilder().setTask("copy").setInstance(instance).setAttempt(attempt).build();
  }

  private static InstanceResult success(Assignment a) {
    return InstanceResult.newBuilder().setTask(a.getTask()).setInstance(a.getInstance()).setAttempt(a.getAttempt())
        .setSucceeded(true).build();
  }

  /** The successor is found after {@code deadFinds} lookups that still name a dead endpoint. */
  private static JobWorker.MasterFinder finder(int deadFinds, String successor) {
    AtomicInteger finds = new AtomicInteger();
    return () -> Optional.of(finds.incrementAndGet() <= deadFinds ? "dead" : successor);
  }

  private CompletableFuture<Status> run(JobWorker worker, String first, JobWorker.MasterFinder finder) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return worker.run(this::channel, first, finder);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Test
  void aResultFinishedWhileOrphanedReachesTheSuccessorThroughLookupsOfDeadEndpoints() throws Exception {
    FakeMaster first = new FakeMaster(r -> true, false);
    first.toAssign.add(attempt(0, 0));
    Server firstServer = serve("first", first);
    CountDownLatch masterDead = new CountDownLatch(1);
    JobWorker worker = new JobWorker(HELLO, task -> (a, started) -> {
      try {
        masterDead.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return success(a);
    });
    FakeMaster successor = new FakeMaster(r -> true, true);
    CompletableFuture<Status> end = run(worker, "first", finder(3, "successor"));
    await().atMost(Duration.ofSeconds(10)).until(() -> first.toAssign.isEmpty());

    firstServer.shutdownNow(); // the job-master dies while the attempt runs
    masterDead.countDown();
    serve("successor", successor);

    assertThat(end.get(20, TimeUnit.SECONDS).isOk()).isTrue();
    assertThat(successor.hellos).hasSize(1);
    assertThat(successor.hellos.get(0).getAdoptList()).containsExactly(AttemptRef.newBuilder()
        .setInstance(0).setAttempt(0).build());
    assertThat(successor.results).extracting(InstanceResult::getInstance).containsExactly(0);
  }

  @Test
  void anAcknowledgedResultIsNotSentAgainButAnUnacknowledgedOneIs() throws Exception {
    // The first master acknowledges instance 0's result and dies before acknowledging instance 1's.
    FakeMaster first = new FakeMaster(r -> r.getInstance() == 0, false);
    first.toAssign.addAll(List.of(attempt(0, 0), attempt(1, 0)));
    Server firstServer = serve("first", first);
    JobWorker worker = new JobWorker(HELLO, task -> (a, started) -> success(a));
    CompletableFuture<Status> end = run(worker, "first", finder(0, "successor"));
    await().atMost(Duration.ofSeconds(10)).until(() -> first.results.size() == 2);

    firstServer.shutdownNow();
    FakeMaster successor = new FakeMaster(r -> true, true);
    serve("successor", successor);

    assertThat(end.get(20, TimeUnit.SECONDS).isOk()).isTrue();
    assertThat(successor.hellos.get(0).getAdoptList()).containsExactly(AttemptRef.newBuilder()
        .setInstance(1).setAttempt(0).build());
    assertThat(successor.results).extracting(InstanceResult::getInstance).containsExactly(1);
  }
}
