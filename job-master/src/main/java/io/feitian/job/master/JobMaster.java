package io.feitian.job.master;

import io.feitian.common.grpc.CallFailures;
import io.feitian.common.grpc.StatusText;
import io.feitian.client.AppMasterSession;
import io.feitian.client.AppStates;
import io.feitian.client.FeitianClient;
import io.feitian.client.MasterLoop;
import io.feitian.common.grpc.CallSettings;
import io.feitian.common.grpc.Channels;
import io.feitian.job.client.JobLogs;
import io.feitian.job.grants.Effect;
import io.feitian.job.grants.JobGrants;
import io.feitian.job.plan.JobRun;
import io.feitian.job.report.JobReport;
import io.feitian.job.spec.JobGraph;
import io.feitian.job.spec.JobSpecs;
import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.fuxi.v1.LaunchRequest;
import io.feitian.proto.fuxi.v1.LaunchResponse;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import io.feitian.proto.fuxi.v1.ListWorkersRequest;
import io.feitian.proto.fuxi.v1.ListWorkersResponse;
import io.feitian.proto.fuxi.v1.RevokeReason;
import io.feitian.proto.fuxi.v1.TaskWorkerServiceGrpc;
import io.feitian.proto.fuxi.v1.ThreadProgram;
import io.feitian.proto.job.v1.InstanceCommit;
import io.feitian.proto.job.v1.InstanceLog;
import io.feitian.proto.job.v1.InstanceResult;
import io.feitian.proto.job.v1.JobCounts;
import io.feitian.proto.job.v1.JobSpec;
import io.feitian.proto.job.v1.JobStatus;
import io.feitian.proto.job.v1.PipelineDataGrpc;
import io.feitian.proto.job.v1.ReleaseRequest;
import io.feitian.proto.job.v1.ReleaseResponse;
import io.feitian.proto.job.v1.TaskSpec;
import io.feitian.proto.job.v1.TaskState;
import io.feitian.proto.job.v1.WorkerCommand;
import io.feitian.proto.job.v1.WorkerHello;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job, run to its end: asks Fuxi for workers per task (one TaskMaster's
 * worth of demand per task), starts a Task Worker on every grant, hands out
 * instances as workers are ready, and reports the end to fuxi-master with the
 * final status as the application's outcome.
 *
 * <p>The decisions are the pure cores': {@link JobRun} (which instance runs
 * where, what a result changes) and {@link JobGrants} (which grants are held,
 * the adoption of a predecessor's workers). This class turns Fuxi's calls,
 * the workers' streams and timers into calls on them, and carries out what
 * they return. All state lives on one loop thread; RPC handlers and Fuxi's
 * callbacks hand work to it.
 */
public final class JobMaster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JobMaster.class);
  static final String WORKER_MAIN = "io.feitian.job.worker.JobWorkerMain";
  /**
   * How often changed attempt figures are recorded: what a restart may lose of them (one small
   * write while they change; an attempt's worker takes far longer than this to start).
   */
  private static final long COUNTS_INTERVAL_MS = 200;

  private final String appId;
  private final JobSpec spec;
  private final JobRun run;
  private final Snapshots snapshots;
  private final FeitianClient client;
  private final CallSettings calls;
  /** FEITIAN_ZK and friends: Task Workers find a restarted job-master with them. */
  private final Map<String, String> workerEnv;
  private final Clock clock;
  private final MasterLoop loop;
  private final CountDownLatch ended = new CountDownLatch(1);
  private AppMasterSession session;
  private String endpoint;

  // Loop-confined state.
  private final Map<String, TaskMaster> tasks = new HashMap<>();
  private final JobGrants book;
  private final Map<String, WorkerLink> workers = new HashMap<>();
  private final List<StreamObserver<JobStatus>> watchers = new ArrayList<>();
  private final long startedAtMs;
  private long endedAtMs;
  /** The cluster's live machines, as last read. */
  private List<String> usableNodes = List.of();
  private boolean statusDirty;
  private boolean finished;
  private volatile boolean superseded;
  /** What {@link #recordCounts} last recorded (loop-owned). */
  private JobCounts recordedCounts;

  /**
   * The job of {@code appId}; {@code spec} as fuxi-master stored it, {@code splits} listed by the caller;
   * {@code startedAtMs} when the job was submitted (a restarted master reports the job's whole run).
   */
  JobMaster(String appId, JobSpec spec, JobRun run, Snapshots snapshots, FeitianClient client,
      Map<String, String> workerEnv, long startedAtMs, Clock clock) {
    this.appId = appId;
    this.spec = spec;
    this.run = run;
    this.snapshots = snapshots;
    this.client = client;
    this.calls = client.callSettings();
    this.workerEnv = Map.copyOf(workerEnv);
    this.clock = clock;
    this.startedAtMs = startedAtMs;
    this.loop = new MasterLoop("job-master", e -> log.error("job {}: internal error", appId, e));
    for (String t : run.tasks()) {
      tasks.put(t, new TaskMaster(run.task(t).spec(), spec.getPriority() == 0 ? 100 : spec.getPriority()));
    }
    this.book = new JobGrants(run.tasks());
  }

  static JobGraph graph(JobSpec spec) {
    return new JobGraph(spec); // checked once, by fuxi-master, when the job was submitted
  }

  /**
   * Attaches to Fuxi (publishing {@code endpoint}, where this master's
   * services listen), claiming the grants a predecessor recorded, and starts
   * the job. The Task Workers in claimed grants come back to say hello with
   * the attempts they still run; until they have (or
   * {@link JobGrants#ADOPT_WAIT_MS} has passed) nothing is handed out, so
   * those attempts are adopted rather than started twice.
   */
  void start(String endpoint, List<Grant> claimed) {
    this.endpoint = endpoint;
    List<Effect> adoption = book.start(claimed, clock.millis());
    if (!book.awaitingHello().isEmpty()) {
      log.info("job {}: claiming {} grants of the previous job-master; waiting up to {} ms for their workers",
          appId, book.awaitingHello().size(), JobGrants.ADOPT_WAIT_MS);
    }
    session = new AppMasterSession(client, appId, loop.listener(new FuxiListener())).endpoint(endpoint)
        .holding(book.held());
    session.start();
    apply(adoption);
    post(() -> {
      startTasks(run.startReadyTasks());
      endIfDone();
    });
    loop.every(250, 250, this::publishStatus);
    loop.every(500, 500, this::backUpStragglers);
    recordedCounts = run.counts();
    loop.every(COUNTS_INTERVAL_MS, COUNTS_INTERVAL_MS, this::recordCounts);
    log.info("job {} ({}) started: tasks {}", appId, spec.getName(), run.tasks());
  }

  /** Waits until the job has ended and fuxi-master was told, or this master was superseded. */
  JobStatus awaitEnd() throws InterruptedException {
    ended.await();
    return call(this::status).join();
  }

  /** A newer job-master replaced this one: it ended without acting on the job. */
  boolean superseded() {
    return superseded;
  }

  // ---- the loop -------------------------------------------------------------------------------

  <T> CompletableFuture<T> call(Callable<T> work) {
    return loop.call(work);
  }

  void post(Runnable r) {
    loop.post(r);
  }

  // ---- tasks and their workers ------------------------------------------------------------------

  private void startTasks(List<String> started) {
    for (String t : started) {
      log.info("task {} started: {} instances", t, run.task(t).instances());
      adjustDemand(t);
    }
    statusDirty = true;
  }

  /** Asks Fuxi for as many more workers as the task's unfinished instances need, or withdraws what it no longer needs. */
  private void adjustDemand(String task) {
    TaskMaster tm = tasks.get(task);
    JobRun.TaskRun t = run.task(task);
    int wanted = t.state() == TaskState.TASK_STATE_RUNNING ? tm.workersFor(t.pending() + t.running()) : 0;
    tm.adjust(session, wanted, book.heldFor(task), avoidNodes(task), usableNodes);
  }

  private void onGranted(List<Grant> grants) {
    for (Grant g : grants) {
      TaskMaster tm = tasks.get(g.getUnit());
      boolean wanted = tm != null && !finished && run.task(g.getUnit()).state() == TaskState.TASK_STATE_RUNNING;
      if (tm != null) {
        tm.granted(g);
      }
      apply(book.granted(g, wanted, wanted ? run.avoidNodes(g.getUnit()) : Set.of(), clock.millis()));
    }
  }

  /** Starts a Task Worker on a grant, through the node's task-worker. */
  private void launch(TaskMaster tm, Grant g) {
    TaskSpec task = tm.spec();
    // The worker is told its task, typed, on its stream (WorkerCommand.task): only names go on its command line.
    ThreadProgram program = ThreadProgram.newBuilder().setMainClass(WORKER_MAIN)
        .addArgs(endpoint).addArgs(task.getName()).build();
    LaunchSpec.Builder launch = LaunchSpec.newBuilder().setName("task-" + task.getName()).setThread(program)
        .putAllEnv(workerEnv);
    calls.unary(TaskWorkerServiceGrpc.newStub(channel(g.getNodeAddress())))
        .launch(LaunchRequest.newBuilder().setAppId(appId).setGrantId(g.getGrantId()).setSpec(launch).build(),
            new StreamObserver<>() {
              @Override
              public void onNext(LaunchResponse r) {
                log.info("task {}: worker {} on {}", task.getName(), r.getWorker().getWorkerId(), g.getNodeId());
              }

              @Override
              public void onError(Throwable t) {
                post(() -> launchFailed(g, Status.fromThrowable(t)));
              }

              @Override
              public void onCompleted() {}
            });
  }

  /** A Task Worker could not be started: the grant goes back, and the book counts the failure. */
  private void launchFailed(Grant g, Status why) {
    log.warn("could not start a worker of {} on {}: {}", g.getUnit(), g.getNodeId(), StatusText.brief(why));
    apply(book.launchFailed(g, CallFailures.lostTheServer(why), why.toString(), clock.millis()));
  }

  /** Machines to keep new workers of a task away from: blacklisted, running its stragglers, or unreachable. */
  private Set<String> avoidNodes(String task) {
    Set<String> avoid = new HashSet<>(run.avoidNodes(task));
    avoid.addAll(book.unreachableNodes(clock.millis()));
    return avoid;
  }

  /** Grants are recorded so that a restarted master claims them, and adopts the workers in them. */
  private void recordGrant(Grant g) {
    try {
      snapshots.grants().record(g);
    } catch (Exception e) {
      log.warn("grant {} not recorded ({}): its worker would not be adopted by a restarted master",
          g.getGrantId(), e.toString());
    }
  }

  private void forgetGrant(long grantId) {
    try {
      snapshots.grants().forget(grantId);
    } catch (Exception e) {
      log.warn("grant {} not forgotten ({}): a restarted master would claim it and return it", grantId, e.toString());
    }
  }

  /**
   * Asks a claimed grant's node which workers of the job it still runs: a
   * grant without one (its worker ended just before its master) has nobody
   * to come back, and the book returns it at once.
   */
  private void askForWorkers(String address) {
    calls.unary(TaskWorkerServiceGrpc.newStub(channel(address)))
        .listWorkers(ListWorkersRequest.newBuilder().setAppId(appId).build(), new StreamObserver<>() {
          @Override
          public void onNext(ListWorkersResponse r) {
            Set<Long> running = new HashSet<>();
            r.getWorkersList().stream().filter(AppStates::running).forEach(w -> running.add(w.getGrantId()));
            post(() -> apply(book.workersListed(address, running)));
          }

          @Override
          public void onError(Throwable t) {
            log.info("cannot ask {} about claimed grants ({}); waiting for their workers", address,
                Status.fromThrowable(t).getCode());
          }

          @Override
          public void onCompleted() {}
        });
  }

  /** Carries out the book's decisions, in order. */
  private void apply(List<Effect> effects) {
    for (Effect e : effects) {
      if (e instanceof Effect.Launch l) {
        recordGrant(l.grant());
        launch(tasks.get(l.grant().getUnit()), l.grant());
      } else if (e instanceof Effect.Decline d) {
        log.debug("grant {} declined: {}", d.grantId(), d.why());
        session.returnGrants(List.of(d.grantId()));
      } else if (e instanceof Effect.ReturnGrant r) {
        log.info("returning grant {}: {}", r.grantId(), r.why());
        session.returnGrants(List.of(r.grantId()));
        forgetGrant(r.grantId());
      } else if (e instanceof Effect.DropRevoked d) {
        forgetGrant(d.grantId());
        endWorkersOf(d.grantId(), Status.ABORTED.withDescription("grant revoked: " + d.detail()), d.nodeLost());
      } else if (e instanceof Effect.AdjustDemand a) {
        adjustDemand(a.task());
      } else if (e instanceof Effect.AskForWorkers a) {
        askForWorkers(a.nodeAddress());
      } else if (e instanceof Effect.WakeAt w) {
        loop.after(Math.max(0, w.at() - clock.millis()), () -> apply(book.tick(clock.millis())));
      } else if (e instanceof Effect.ResumeWork) {
        post(() -> run.tasks().forEach(this::dispatchTask));
      } else if (e instanceof Effect.NodeLost n) {
        regenerateOutputsOf(n.nodeAddress(), n.detail());
      } else if (e instanceof Effect.FailJob f) {
        failJob(f.why());
      } else if (e instanceof Effect.RefuseWorker r) {
        throw Status.FAILED_PRECONDITION.withDescription(r.why()).asRuntimeException();
      } else {
        throw new IllegalStateException("unknown effect " + e);
      }
    }
  }

  // ---- workers' streams -------------------------------------------------------------------------

  /** A worker said hello. Returns its link, or throws if it is not one of ours. */
  WorkerLink hello(WorkerHello h, StreamObserver<WorkerCommand> stream) {
    if (!h.getAppId().equals(appId)) {
      throw new IllegalArgumentException("hello.app_id is " + h.getAppId() + ", this is the job-master of " + appId);
    }
    apply(book.hello(h.getGrantId(), h.getTask()));
    TaskSpec task = run.task(h.getTask()).spec();
    WorkerLink w = new WorkerLink(h, stream, JobSpecs.slots(task));
    workers.put(h.getWorkerId(), w);
    w.send(WorkerCommand.newBuilder().setTask(task).build());
    for (var ref : h.getAdoptList()) {
      if (run.adopt(h.getTask(), ref.getInstance(), ref.getAttempt(), h.getWorkerId(), h.getNodeId(), clock.millis())) {
        log.info("{}[{}] attempt {} adopted on {}", h.getTask(), ref.getInstance(), ref.getAttempt(), h.getNodeId());
      } else {
        w.send(WorkerCommand.newBuilder().setCancel(io.feitian.proto.job.v1.Cancel.newBuilder()
            .setInstance(ref.getInstance()).setAttempt(ref.getAttempt())).build());
      }
    }
    statusDirty = true;
    return w;
  }

  void ready(WorkerLink w) {
    w.idle++;
    dispatch(w);
  }

  /** Gives a ready worker instances while it has free slots; stops it when its task needs no more. */
  private void dispatch(WorkerLink w) {
    if (book.holdsNewWork(clock.millis())) {
      return; // the predecessor's workers may yet come back with these instances running
    }
    JobRun.TaskRun t = run.task(w.task());
    if (!run.usable(w.task(), w.hello.getNodeId())) {
      w.stop("machine " + w.hello.getNodeId() + " is blacklisted for task " + w.task());
      return;
    }
    while (w.idle > 0 && !w.stopped) {
      var next = run.assign(w.task(), w.hello.getNodeId(), w.workerId(), clock.millis());
      if (next.isEmpty()) {
        break;
      }
      w.idle--;
      statusDirty = true;
      w.send(WorkerCommand.newBuilder().setAssign(next.get()).build());
    }
    if (t.state() != TaskState.TASK_STATE_RUNNING) {
      w.stop("task " + w.task() + " is " + t.state());
    } else if (w.idle == w.slots) {
      // Nothing here for it (all instances taken, or what waits must run elsewhere): its grant goes back.
      w.stop("nothing left for it to run on " + w.hello.getNodeId());
    }
  }

  void result(WorkerLink w, InstanceResult r) {
    statusDirty = true;
    JobRun.Change change = run.finished(r, w.hello.getNodeId(), w.hello.getNodeAddress(), clock.millis());
    cancelRedundant();
    reportBadNodes();
    if (!r.getLostInputNode().isEmpty()) {
      log.warn("{}[{}] could not read its input from {}; regenerating what that node held", r.getTask(),
          r.getInstance(), r.getLostInputNode());
      replan();
    }
    InstanceCommit commit = r.getSucceeded() ? run.commitOf(r.getTask(), r.getInstance()) : null;
    if (commit != null && commit.getAttempt() == r.getAttempt()) {
      snapshots.record(r.getTask(), r.getInstance(),
          commit.toBuilder().setRecordsIn(r.getRecordsIn()).setRecordsOut(r.getRecordsOut()).build());
    }
    // Only now (the commit on its way to the snapshot) may the worker forget the result.
    w.send(WorkerCommand.newBuilder().setReceived(io.feitian.proto.job.v1.AttemptRef.newBuilder()
        .setInstance(r.getInstance()).setAttempt(r.getAttempt())).build());
    if (!r.getSucceeded()) {
      log.warn("{}[{}] attempt {} failed on {}: {}", r.getTask(), r.getInstance(), r.getAttempt(),
          w.hello.getNodeId(), r.getMessage());
      dispatchTask(r.getTask()); // a retry may be waiting for a ready worker
    }
    switch (change) {
      case TASK_SUCCEEDED -> {
        log.info("task {} succeeded", r.getTask());
        stopWorkers(r.getTask());
        startTasks(run.startReadyTasks());
        endIfDone();
      }
      case JOB_ENDED -> endIfDone();
      default -> { }
    }
  }

  /** Stops attempts whose instance another attempt has committed (a backup race lost). */
  private void cancelRedundant() {
    for (JobRun.Cancellation c : run.drainCancellations()) {
      WorkerLink w = workers.get(c.workerId());
      if (w != null) {
        // The worker answers with the attempt's (ignored) result and a Ready for the freed slot.
        w.send(WorkerCommand.newBuilder().setCancel(io.feitian.proto.job.v1.Cancel.newBuilder()
            .setInstance(c.instance()).setAttempt(c.attempt())).build());
      }
    }
  }

  /** Machines this job blacklisted are reported to fuxi-master, which blacklists those bad for many jobs. */
  private void reportBadNodes() {
    for (String node : run.drainNewlyBadNodes()) {
      log.warn("node {} blacklisted for job {}; reporting it to fuxi-master", node, appId);
      session.reportBadNode(node, "job " + appId + " (" + spec.getName() + "): instances of several tasks kept"
          + " failing there");
    }
  }

  /** Outputs were lost: tasks run again or wait again; every task's workers and demand follow. */
  private void replan() {
    for (JobRun.InstanceRef lost : run.drainUncommitted()) {
      snapshots.forget(lost.task(), lost.instance());
    }
    cancelRedundant();
    for (String task : run.tasks()) {
      dispatchTask(task);
    }
    statusDirty = true;
  }

  /**
   * Periodic: the tasks' attempt figures, recorded when they changed, for a successor to go on
   * counting from. Never once the job has ended (its snapshot is being deleted) or belongs to a newer
   * master. A master presumed dead may still record once before it learns so: the figures are
   * for display and never drive a decision.
   */
  private void recordCounts() {
    if (finished || superseded) {
      return;
    }
    JobCounts now = run.counts();
    if (!now.equals(recordedCounts)) {
      snapshots.recordCounts(now);
      recordedCounts = now;
    }
  }

  /** Periodic: stragglers get backups (on other machines), which need workers. */
  private void backUpStragglers() {
    for (String task : run.findStragglers(clock.millis())) {
      log.info("task {}: backing up stragglers", task);
      statusDirty = true;
      dispatchTask(task);
    }
  }

  /** A worker's stream ended: its attempts failed and run again elsewhere, and its grant goes back. */
  void workerGone(WorkerLink w, Status why) {
    workerGone(w, why, false);
  }

  private void workerGone(WorkerLink w, Status why, boolean withItsNode) {
    if (workers.remove(w.workerId()) == null) {
      return;
    }
    String reason = "worker " + w.workerId() + " on " + w.hello.getNodeId()
        + " ended: " + why.getCode() + (why.getDescription() == null ? "" : " " + why.getDescription());
    List<String> affected = withItsNode
        ? run.workerLostWithItsNode(w.workerId(), reason)
        : run.workerLost(w.workerId(), reason);
    apply(book.workerEnded(w.hello.getGrantId()));
    reportBadNodes();
    if (!affected.isEmpty()) {
      log.warn("worker {} ended ({}) with attempts of {} running", w.workerId(), why, affected);
      dispatchTask(w.task());
    }
    if (!finished) {
      adjustDemand(w.task());
      endIfDone();
    }
    statusDirty = true;
  }

  private void dispatchTask(String task) {
    for (WorkerLink other : List.copyOf(workers.values())) {
      if (other.task().equals(task)) {
        dispatch(other);
      }
    }
    adjustDemand(task);
  }

  private void stopWorkers(String task) {
    for (WorkerLink w : workers.values()) {
      if (w.task().equals(task)) {
        w.stop("task " + task + " has succeeded");
      }
    }
    adjustDemand(task);
  }

  // ---- Fuxi -----------------------------------------------------------------------------------

  private void onRevoked(List<Long> grantIds, RevokeReason reason, String detail) {
    for (long id : grantIds) {
      apply(book.revoked(id, reason == RevokeReason.REVOKE_REASON_NODE_LOST, detail));
    }
  }

  /** A node was lost: the committed outputs that lived only there are made again. */
  private void regenerateOutputsOf(String nodeAddress, String detail) {
    if (!run.outputsLost(nodeAddress).isEmpty()) {
      log.warn("node {} lost ({}): regenerating the outputs it held", nodeAddress, detail);
      replan();
    }
  }

  private void endWorkersOf(long grantId, Status why, boolean nodeLost) {
    for (WorkerLink w : List.copyOf(workers.values())) {
      if (w.hello.getGrantId() == grantId) {
        workerGone(w, why, nodeLost);
      }
    }
  }

  /** Fuxi's calls, on the loop. */
  private final class FuxiListener implements AppMasterSession.Listener {
    @Override
    public void granted(List<Grant> grants) {
      onGranted(grants);
    }

    @Override
    public void revoked(List<Long> grantIds, RevokeReason reason, String detail) {
      onRevoked(grantIds, reason, detail);
    }

    /** The number of usable machines bounds how many the job may blacklist; asks avoid the others. */
    @Override
    public void nodes(Map<String, String> usable) {
      usableNodes = List.copyOf(new java.util.TreeSet<>(usable.keySet()));
      run.clusterSize(usableNodes.size());
    }

    @Override
    public void superseded(Status status) {
      // The job belongs to the newer master: no release, no final report, no deleting of its snapshots.
      log.error("job {}: {}", appId, status.getDescription());
      superseded = true;
      ended.countDown();
    }

    @Override
    public void ended(Status status) {
      if (!status.isOk() && !finished) {
        log.error("fuxi-master ended the application: {}", StatusText.brief(status));
        run.kill("ended by fuxi-master: " + status.getDescription());
        finish();
      }
    }
  }

  // ---- the end --------------------------------------------------------------------------------

  private void failJob(String why) {
    run.fail(why);
    finish();
  }

  void kill(String reason) {
    run.kill(reason);
    for (WorkerLink w : workers.values()) {
      w.stop("job killed");
    }
    endIfDone();
  }

  private void endIfDone() {
    if (run.ended() && !finished) {
      finish();
    }
  }

  /** Stops every worker, frees the grants and the nodes' pipeline data, and tells fuxi-master. */
  private void finish() {
    finished = true;
    endedAtMs = clock.millis();
    for (WorkerLink w : workers.values()) {
      w.stop("job " + run.state());
    }
    tasks.forEach((task, tm) -> tm.adjust(session, 0, book.heldFor(task), Set.of(), List.of()));
    List<Long> held = book.endAll();
    if (!held.isEmpty()) {
      session.returnGrants(held);
    }
    // Also the nodes of outputs a predecessor committed: a restarted master never held grants there.
    Set<String> holding = new LinkedHashSet<>(book.nodesUsed());
    holding.addAll(run.nodesHoldingOutputs());
    for (String node : holding) {
      calls.unary(PipelineDataGrpc.newStub(channel(node))).release(ReleaseRequest.newBuilder().setAppId(appId).build(),
          new StreamObserver<ReleaseResponse>() {
            @Override
            public void onNext(ReleaseResponse r) {}

            @Override
            public void onError(Throwable t) {
              log.warn("could not free pipeline data on {}: {} (the node's retention sweep will)", node, t.toString());
            }

            @Override
            public void onCompleted() {}
          });
    }
    JobStatus status = status();
    keepLogs();
    statusDirty = true;
    publishStatus();
    for (StreamObserver<JobStatus> w : watchers) {
      try {
        w.onCompleted();
      } catch (RuntimeException ignored) {
        // the watcher went away
      }
    }
    watchers.clear();
    AppMasterSession.Ending ending = switch (status.getState()) {
      case JOB_STATE_SUCCEEDED -> AppMasterSession.Ending.SUCCEEDED;
      case JOB_STATE_KILLED -> AppMasterSession.Ending.KILLED;
      default -> AppMasterSession.Ending.FAILED;
    };
    session.unregister(ending, status.getMessage(), status.toByteString());
    snapshots.delete();
    log.info("job {} {}{}", appId, status.getState(), status.getMessage().isEmpty() ? "" : ": " + status.getMessage());
    ended.countDown();
  }

  /** Every instance's last log, beside the output, for after this master has gone. */
  private void keepLogs() {
    List<InstanceLog> all = new ArrayList<>();
    for (String t : run.tasks()) {
      all.addAll(run.logs(t, -1));
    }
    try {
      JobLogs.write(java.nio.file.Path.of(spec.getOutputDir()), all);
    } catch (java.io.IOException e) {
      log.warn("could not keep the instances' logs under {}: {}", spec.getOutputDir(), e.toString());
    }
  }

  // ---- JobService -----------------------------------------------------------------------------

  JobStatus status() {
    JobStatus.Builder s = run.status().toBuilder().setStartedAtMs(startedAtMs);
    if (finished) {
      s.setEndedAtMs(endedAtMs);
    } else if (endpoint != null) {
      s.setMasterEndpoint(endpoint);
    }
    for (int i = 0; i < s.getTasksCount(); i++) {
      String name = s.getTasks(i).getName();
      long count = finished ? 0 : workers.values().stream().filter(w -> w.task().equals(name) && !w.stopped).count();
      s.setTasks(i, s.getTasks(i).toBuilder().setWorkers((int) count));
    }
    return s.build();
  }

  /** What the job-master reports to Shennong: the status and the recent failed attempts (on the loop). */
  JobReport.View reportView() {
    return new JobReport.View(status(), run.recentFailures());
  }

  void watch(StreamObserver<JobStatus> watcher) {
    watcher.onNext(status());
    if (finished) {
      watcher.onCompleted();
    } else {
      watchers.add(watcher);
    }
  }

  List<InstanceLog> logs(String task, int instance) {
    return run.logs(task, instance);
  }

  private void publishStatus() {
    if (!statusDirty || watchers.isEmpty()) {
      return;
    }
    statusDirty = false;
    JobStatus s = status();
    watchers.removeIf(w -> {
      try {
        w.onNext(s);
        return false;
      } catch (RuntimeException gone) {
        return true;
      }
    });
  }

  private ManagedChannel channel(String address) {
    return client.channel(address);
  }

  @Override
  public void close() {
    if (session != null) {
      session.close();
    }
    loop.close();
  }

  /** A Task Worker's stream, as the loop sees it. */
  static final class WorkerLink {
    final WorkerHello hello;
    private final StreamObserver<WorkerCommand> stream;
    /** Instances it runs at once. */
    final int slots;
    int idle;
    boolean stopped;

    WorkerLink(WorkerHello hello, StreamObserver<WorkerCommand> stream, int slots) {
      this.hello = hello;
      this.stream = stream;
      this.slots = slots;
    }

    String workerId() {
      return hello.getWorkerId();
    }

    String task() {
      return hello.getTask();
    }

    void send(WorkerCommand c) {
      try {
        stream.onNext(c);
      } catch (RuntimeException e) {
        // the stream is ending; workerGone follows
      }
    }

    void stop(String reason) {
      if (!stopped) {
        stopped = true;
        send(WorkerCommand.newBuilder().setStop(io.feitian.proto.job.v1.Stop.newBuilder().setReason(reason)).build());
      }
    }
  }
}
