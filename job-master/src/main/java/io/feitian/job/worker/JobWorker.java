package io.feitian.job.worker;

import io.feitian.common.grpc.StatusText;
import io.feitian.common.retry.Backoff;
import io.feitian.job.spec.JobSpecs;
import io.feitian.proto.job.v1.Assignment;
import io.feitian.proto.job.v1.AttemptRef;
import io.feitian.proto.job.v1.InstanceResult;
import io.feitian.proto.job.v1.JobWorkerServiceGrpc;
import io.feitian.proto.job.v1.Ready;
import io.feitian.proto.job.v1.TaskSpec;
import io.feitian.proto.job.v1.WorkerCommand;
import io.feitian.proto.job.v1.WorkerHello;
import io.feitian.proto.job.v1.WorkerMessage;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Task Worker's conversation with its job-master: hello; the master
 * answers with the task (its program and resources), with which the worker
 * starts its slots and sends one Ready per free slot; each assignment runs in
 * a slot and its result goes back with a new Ready. Ends when the master
 * says stop.
 *
 * <p>When the master's stream breaks (it died), the worker keeps its
 * attempts running, keeps their results, and looks for the restarted master
 * for {@link #ADOPT_WINDOW}: it says hello again listing those attempts, so
 * the new master adopts them instead of running them again. Without a new
 * master by then, or if the new one refuses it, the worker ends (its
 * attempts are killed).
 */
final class JobWorker {
  private static final Logger log = LoggerFactory.getLogger(JobWorker.class);
  static final Duration ADOPT_WINDOW = Duration.ofSeconds(60);
  /** Refusals by a master: this worker is not (or no longer) wanted. */
  private static final Set<Status.Code> REFUSED = Set.of(Status.Code.FAILED_PRECONDITION,
      Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND, Status.Code.PERMISSION_DENIED);

  /** Runs one attempt of an instance. */
  interface AttemptRunner {
    /** Runs the attempt; {@code started} learns the program of a process-mode attempt (to kill it on cancel). */
    InstanceResult run(Assignment a, java.util.function.Consumer<Process> started);
  }

  /** Where the job-master is now (the application's endpoint), if anywhere. */
  interface MasterFinder {
    Optional<String> find();
  }

  private record Event(long stream, Status status) {}

  private final WorkerHello hello;
  /** Makes the attempt runner of the task, once the master has said which task it is. */
  private final Function<TaskSpec, AttemptRunner> runners;
  // Guarded by this; set by the first task command.
  private AttemptRunner runner;
  private ExecutorService slots;
  private int slotCount;
  // Guarded by this: the attempts running, and results no master has acknowledged yet.
  private final Map<String, Future<?>> running = new LinkedHashMap<>();
  private final Map<String, AttemptRef> refs = new LinkedHashMap<>();
  private final Map<String, InstanceResult> unacknowledged = new LinkedHashMap<>();
  private StreamObserver<WorkerMessage> out;
  private long stream;
  /** The programs of running process-mode attempts, to kill on cancel. */
  private final Map<String, Process> programs = new java.util.concurrent.ConcurrentHashMap<>();
  /** Stream ends: Status.OK when the master said stop. */
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private volatile long lastCommandNanos;

  JobWorker(WorkerHello hello, Function<TaskSpec, AttemptRunner> runners) {
    this.hello = hello;
    this.runners = runners;
  }

  /**
   * The task, as the master sent it: the first time, the worker starts its
   * slots and says how many are free; later (a new master's) are the same task.
   */
  private synchronized void task(TaskSpec task) {
    if (runner != null) {
      return;
    }
    if (!task.getName().equals(hello.getTask())) {
      log.warn("the job-master sent task {} to a worker of task {}", task.getName(), hello.getTask());
      return;
    }
    try {
      runner = runners.apply(task);
    } catch (RuntimeException e) { // e.g. its jars cannot be loaded: this worker can run nothing
      log.error("cannot run task {}: {}", task.getName(), e.getMessage());
      events.add(new Event(stream, Status.INVALID_ARGUMENT.withDescription("cannot run task " + task.getName() + ": "
          + e.getMessage())));
      return;
    }
    slotCount = JobSpecs.slots(task);
    slots = Executors.newFixedThreadPool(slotCount, r -> {
      Thread t = new Thread(r, "instance-slot");
      t.setDaemon(true);
      return t;
    });
    sendReadyForFreeSlots();
  }

  private synchronized void sendReadyForFreeSlots() {
    for (int i = running.size(); i < slotCount; i++) {
      send(WorkerMessage.newBuilder().setReady(Ready.getDefaultInstance()).build());
    }
  }

  /**
   * Runs until the master stops this worker, or it is gone and no new one
   * took it back (with {@code finder} null, at once); returns how it ended.
   */
  Status run(Function<String, Channel> channels, String endpoint, MasterFinder finder) throws InterruptedException {
    long current = open(channels.apply(endpoint), false);
    long orphanedAt = 0;
    // Short: the successor is usually up within seconds, and every moment looking for it is a moment
    // the new master holds work back for this worker (one GetApp per try is little load).
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(500));
    Status end;
    while (true) {
      Event e = events.take();
      if (e.stream() != current) {
        continue;
      }
      if (e.status().isOk() || finder == null || REFUSED.contains(e.status().getCode())) {
        end = e.status();
        break;
      }
      long now = System.nanoTime();
      if (lastCommandNanos > 0 && (orphanedAt == 0 || lastCommandNanos > orphanedAt)) {
        orphanedAt = now; // a stream that worked broke: a new search starts
        backoff.reset();
        log.warn("job-master stream ended ({}); keeping {} attempts and looking for its successor", StatusText.brief(e.status()),
            unreported().size());
      }
      if (orphanedAt == 0) {
        orphanedAt = now;
      }
      if (now - orphanedAt > ADOPT_WINDOW.toNanos()) {
        log.warn("no job-master took this worker back within {} s", ADOPT_WINDOW.toSeconds());
        end = e.status();
        break;
      }
      Thread.sleep(backoff.nextDelayMillis()); // the successor is being started by fuxi-master
      endpoint = finder.find().orElse(endpoint);
      current = open(channels.apply(endpoint), true);
    }
    if (!end.isOk()) {
      log.warn("job-master stream ended: {}", StatusText.brief(end));
    }
    // Running attempts are cancelled before the JVM exits: threads interrupted, and every process
    // this worker started killed (a thread blocked reading a program's output wakes up when it dies).
    ExecutorService started;
    synchronized (this) {
      started = slots;
    }
    if (started == null) {
      return end; // never had a task: nothing ran
    }
    started.shutdownNow();
    ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
    if (!started.awaitTermination(10, TimeUnit.SECONDS)) {
      log.warn("attempts still running after 10 s; exiting anyway");
    }
    return end;
  }

  /**
   * Opens a stream to a master: hello (listing, to a successor, the
   * attempts to adopt), the results it has not had, and a Ready per free slot.
   */
  private synchronized long open(Channel master, boolean again) {
    long id = ++stream;
    out = JobWorkerServiceGrpc.newStub(master).work(new Commands(id));
    WorkerHello.Builder h = hello.toBuilder();
    if (again) {
      h.addAllAdopt(unreported());
      log.info("saying hello to a new job-master with {} attempts to adopt", h.getAdoptCount());
    }
    send(WorkerMessage.newBuilder().setHello(h).build());
    List.copyOf(unacknowledged.values()).forEach(r -> send(WorkerMessage.newBuilder().setResult(r).build()));
    sendReadyForFreeSlots(); // none before the first task command: the slots start with it
    return id;
  }

  /** Attempts running or with results no master has acknowledged. */
  private synchronized List<AttemptRef> unreported() {
    List<AttemptRef> all = new ArrayList<>(refs.values());
    unacknowledged.values().forEach(r -> all.add(AttemptRef.newBuilder().setInstance(r.getInstance())
        .setAttempt(r.getAttempt()).build()));
    return all;
  }

  /**
   * Sends to the master, if there is one; other messages are re-derived for
   * the next one (results are kept until acknowledged, readiness from the free slots).
   */
  private synchronized void send(WorkerMessage m) {
    if (out == null) {
      return;
    }
    try {
      out.onNext(m);
    } catch (RuntimeException e) {
      log.warn("cannot reach the job-master: {}", e.toString());
    }
  }

  private synchronized void acknowledged(AttemptRef ref) {
    unacknowledged.remove(ref.getInstance() + "/" + ref.getAttempt());
  }

  /**
   * Runs an assignment in a free slot (the master assigns only as many as
   * there are slots, so it never waits). Its result and a Ready go back when
   * it ends, also when cancelled.
   */
  private synchronized void start(Assignment a) {
    if (slots == null) {
      log.warn("assignment {}[{}] before the task: ignored", a.getTask(), a.getInstance());
      return;
    }
    String key = a.getInstance() + "/" + a.getAttempt();
    refs.put(key, AttemptRef.newBuilder().setInstance(a.getInstance()).setAttempt(a.getAttempt()).build());
    running.put(key, slots.submit(() -> {
      log.info("{}[{}] attempt {} starting", a.getTask(), a.getInstance(), a.getAttempt());
      InstanceResult r = runner.run(a, p -> programs.put(key, p));
      programs.remove(key);
      log.info("{}[{}] attempt {} {} ({} records in, {} out){}", a.getTask(), a.getInstance(), a.getAttempt(),
          r.getSucceeded() ? "succeeded" : "failed", r.getRecordsIn(), r.getRecordsOut(),
          r.getSucceeded() ? "" : ": " + r.getMessage());
      synchronized (JobWorker.this) {
        running.remove(key);
        refs.remove(key);
        unacknowledged.put(key, r);
        send(WorkerMessage.newBuilder().setResult(r).build());
        send(WorkerMessage.newBuilder().setReady(Ready.getDefaultInstance()).build());
      }
    }));
  }

  private synchronized void cancel(int instance, int attempt) {
    String key = instance + "/" + attempt;
    log.info("attempt {} cancelled by the job-master: another attempt of the instance won", key);
    Future<?> f = running.get(key);
    if (f != null) {
      f.cancel(true);
    }
    Process p = programs.get(key);
    if (p != null) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  /** One stream's commands; a stream replaced by a newer one is ignored. */
  private final class Commands implements StreamObserver<WorkerCommand> {
    private final long id;

    Commands(long id) {
      this.id = id;
    }

    @Override
    public void onNext(WorkerCommand c) {
      lastCommandNanos = System.nanoTime();
      switch (c.getKindCase()) {
        case TASK -> task(c.getTask());
        case ASSIGN -> start(c.getAssign());
        case CANCEL -> cancel(c.getCancel().getInstance(), c.getCancel().getAttempt());
        case RECEIVED -> acknowledged(c.getReceived());
        case STOP -> {
          log.info("stopped by the job-master: {}", c.getStop().getReason());
          synchronized (JobWorker.this) {
            out.onCompleted();
            out = null;
          }
          events.add(new Event(id, Status.OK));
        }
        default -> log.warn("unknown command {}", c.getKindCase());
      }
    }

    @Override
    public void onError(Throwable t) {
      ended(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      ended(Status.UNAVAILABLE.withDescription("the job-master closed the stream"));
    }

    private void ended(Status s) {
      synchronized (JobWorker.this) {
        if (stream == id) {
          out = null;
        }
      }
      events.add(new Event(id, s));
    }
  }
}
