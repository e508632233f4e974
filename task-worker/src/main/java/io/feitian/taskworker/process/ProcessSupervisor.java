package io.feitian.taskworker.process;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches, watches, limits and kills the worker processes of one node, and finds them again after
 * the task-worker restarted. See the package documentation for the on-disk layout and the limits.
 *
 * <p>Lifecycle: build, {@link #addListener add listeners}, {@link #start()} (which adopts the workers
 * of an earlier incarnation), use, {@link #close()}. Closing stops watching and leaves every worker
 * running; {@link #killAll(Duration)} is the explicit way to stop them.
 *
 * <p>Thread-safe. Two daemon threads per supervisor: one watches (exit handling, the memory watchdog,
 * kill escalation), one calls listeners.
 */
public final class ProcessSupervisor implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessSupervisor.class);

  /** Host variables a worker inherits unless {@link Builder#inheritedEnvironment} says otherwise. */
  public static final Set<String> DEFAULT_INHERITED_ENV =
      Set.of("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "USER", "LOGNAME", "JAVA_HOME");

  /** The message of a worker killed by {@link #kill} or {@link #killAll}: ended on purpose, not failed. */
  public static final String KILLED_ON_REQUEST = "killed on request";

  /** How long {@link #kill} waits for a worker to die after SIGKILL before it gives up waiting. */
  private static final Duration KILL_SETTLE = Duration.ofSeconds(10);
  /** How often SIGKILL is repeated until the leader is gone (catches processes forked meanwhile). */
  private static final Duration KILL_REPEAT = Duration.ofMillis(200);
  /** At most this many scans for processes left behind by an ended worker. */
  private static final int LEFTOVER_PASSES = 20;

  private enum Lifecycle {
    LATENT,
    STARTED,
    CLOSED
  }

  private final AtomicReference<Lifecycle> lifecycle = new AtomicReference<>(Lifecycle.LATENT);
  private final Path workRoot;
  private final Clock clock;
  private final Duration watchdogPeriod;
  private final Duration memoryKillGrace;
  private final ProgramLauncher launcher;
  private final ConcurrentMap<String, SupervisedWorker> workers = new ConcurrentHashMap<>();
  private final List<Consumer<WorkerSnapshot>> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledThreadPoolExecutor watcher;
  private final ExecutorService events;
  /** Runs on the watcher unless closed; after close, exit notifications are dropped on purpose. */
  private final Executor watching;

  private ProcessSupervisor(Builder builder) {
    this.workRoot = builder.workRoot.toAbsolutePath().normalize();
    this.clock = builder.clock;
    this.watchdogPeriod = builder.watchdogPeriod;
    this.memoryKillGrace = builder.memoryKillGrace;
    this.launcher = new ProgramLauncher(builder.inheritedEnv, System.getenv(), builder.nodeEnv);
    this.watcher = new ScheduledThreadPoolExecutor(1, daemon("feitian-supervisor-watch"));
    this.watcher.setRemoveOnCancelPolicy(true);
    // A closed supervisor does nothing more; a pending SIGKILL is resumed by the next one.
    this.watcher.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.events = Executors.newSingleThreadExecutor(daemon("feitian-supervisor-events"));
    this.watching =
        task -> {
          try {
            watcher.execute(task);
          } catch (RejectedExecutionException e) {
            LOG.debug("supervisor closed; not watching any more");
          }
        };
  }

  /** A builder for a supervisor rooted at {@code workRoot}. */
  public static Builder builder(Path workRoot) {
    return new Builder(workRoot);
  }

  /**
   * Creates the work root if needed, adopts the workers an earlier incarnation left running, reports
   * the ones that ended meanwhile, and starts the watchdog. Each recovered worker is reported once to
   * the listeners registered by then, with its recovered state.
   *
   * @throws IllegalStateException when already started or closed
   * @throws IOException when the work root cannot be created or listed
   */
  public void start() throws IOException {
    if (!lifecycle.compareAndSet(Lifecycle.LATENT, Lifecycle.STARTED)) {
      throw new IllegalStateException("cannot start: supervisor is " + lifecycle.get());
    }
    Files.createDirectories(workRoot);
    recoverAll();
    long periodMs = watchdogPeriod.toMillis();
    watcher.scheduleWithFixedDelay(this::watchdogTick, periodMs, periodMs, TimeUnit.MILLISECONDS);
    LOG.info("process supervisor started on {} with {} known workers", workRoot, workers.size());
  }

  /**
   * Starts a worker. Creates {@code workRoot/<workerId>/}, reports STARTING, starts the program and
   * reports RUNNING. A program that cannot be started does not throw: the worker ends as
   * {@link WorkerState#FAILED_TO_START} with a message naming the program.
   *
   * @throws IllegalStateException when not started, or when the worker id is in use or its directory
   *     already exists
   * @throws UncheckedIOException when the worker's directory cannot be created
   */
  public WorkerHandle launch(LaunchRequest request) {
    Objects.requireNonNull(request, "request");
    requireStarted();
    String id = request.workerId();
    WorkerDirectory dir = new WorkerDirectory(workRoot.resolve(id));
    SupervisedWorker worker = new SupervisedWorker(dir, WorkerRecord.starting(request, clock.millis()));
    if (workers.putIfAbsent(id, worker) != null) {
      throw new IllegalStateException("worker id already in use: " + id);
    }
    try {
      dir.create();
    } catch (FileAlreadyExistsException e) {
      workers.remove(id, worker);
      throw new IllegalStateException(
          "directory of worker " + id + " already exists and holds no known worker: " + dir.root(), e);
    } catch (IOException e) {
      workers.remove(id, worker);
      throw new UncheckedIOException("cannot create the directory of worker " + id, e);
    }
    synchronized (worker) {
      worker.persist();
      publish(worker.snapshot());
      startProcess(worker, request);
    }
    return new WorkerHandle(this, worker);
  }

  private void startProcess(SupervisedWorker worker, LaunchRequest request) {
    WorkerDirectory dir = worker.dir();
    Map<String, String> env = launcher.environment(request, dir, new HashMap<>());
    Process process;
    try {
      Path program =
          ProgramLauncher.resolve(
              request.argv().get(0), env.getOrDefault("PATH", ProgramLauncher.DEFAULT_PATH), dir.workDir());
      process = launcher.start(request, dir, program);
    } catch (ProgramLauncher.ProgramNotFoundException | IOException | RuntimeException e) {
      String why =
          e instanceof ProgramLauncher.ProgramNotFoundException
              ? e.getMessage()
              : "cannot start '" + request.argv().get(0) + "': " + e.getMessage();
      LOG.warn("worker {} failed to start: {}", request.workerId(), why);
      worker.update(
          r -> r.ended(WorkerState.FAILED_TO_START, OptionalInt.empty(), why, clock.millis()), this::publish);
      return;
    }
    long pid = process.pid();
    long startTicks = ProcFs.stat(pid).map(ProcStat::startTicks).orElse(-1L);
    long startInstantMs = process.info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
    worker.attach(process);
    worker.update(r -> r.running(pid, startTicks, startInstantMs), this::publish);
    LOG.info("worker {} (app {}, grant {}) running in process group {} (the program is the group's child): {}",
        request.workerId(), request.appId(), request.grantId(), pid, request.argv());
    process.onExit().thenRunAsync(() -> leaderGone(worker), watching);
  }

  /**
   * Kills a worker and waits until it has ended: SIGTERM to its whole process tree, then SIGKILL after
   * {@code grace} if any of it is still alive. The worker ends as {@link WorkerState#KILLED}, even if
   * the program then exits with a status of its own. Returns at the latest {@code grace} plus 10
   * seconds after the call, with the snapshot as it is then (a process stuck in uninterruptible sleep
   * may not have died yet).
   *
   * @return the final snapshot; for a worker that had already ended, its snapshot, and nothing is done
   * @throws NoSuchElementException for an unknown worker id
   */
  public WorkerSnapshot kill(String workerId, Duration grace) {
    return awaitEnd(workerId, killAsync(workerId, grace), grace);
  }

  /**
   * Like {@link #kill} without waiting.
   *
   * @return completes with the final snapshot once the worker has ended
   * @throws NoSuchElementException for an unknown worker id
   */
  public CompletableFuture<WorkerSnapshot> killAsync(String workerId, Duration grace) {
    Objects.requireNonNull(grace, "grace");
    requireStarted();
    return kill(requireWorker(workerId), grace, KILLED_ON_REQUEST);
  }

  /**
   * Kills every running worker, all at once, each with {@code grace}, and waits as {@link #kill} does.
   *
   * @return the snapshots of the workers that were running, after the kill
   */
  public List<WorkerSnapshot> killAll(Duration grace) {
    Objects.requireNonNull(grace, "grace");
    requireStarted();
    Map<String, CompletableFuture<WorkerSnapshot>> pending = new HashMap<>();
    for (SupervisedWorker worker : workers.values()) {
      if (!worker.snapshot().isEnded()) {
        pending.put(worker.workerId(), kill(worker, grace, KILLED_ON_REQUEST));
      }
    }
    List<WorkerSnapshot> result = new ArrayList<>();
    pending.forEach((id, ended) -> result.add(awaitEnd(id, ended, grace)));
    result.sort(Comparator.comparing(WorkerSnapshot::workerId));
    return result;
  }

  private WorkerSnapshot awaitEnd(String workerId, CompletableFuture<WorkerSnapshot> ended, Duration grace) {
    try {
      return ended.get(grace.plus(KILL_SETTLE).toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warn("worker {} still not dead {} after SIGKILL was due", workerId, KILL_SETTLE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException("killing worker " + workerId + " failed", e.getCause());
    }
    return requireWorker(workerId).snapshot();
  }

  private CompletableFuture<WorkerSnapshot> kill(SupervisedWorker worker, Duration grace, String reason) {
    WorkerRecord record;
    synchronized (worker) {
      record = worker.record();
      if (record.state().isEnded()) {
        return CompletableFuture.completedFuture(worker.snapshot());
      }
      if (!record.killRequested()) {
        // The marker must exist before the processes to signal are looked up: see ProgramLauncher.
        worker.dir().writeKillMarker(reason);
        worker.update(r -> r.killing(reason), this::publish);
        record = worker.record();
        LOG.info("killing worker {} (pid {}, grace {}): {}", worker.workerId(), record.pid(), grace, reason);
      }
    }
    boolean force = grace.isZero() || grace.isNegative();
    ProcessTree.signal(record, force);
    schedule(() -> escalate(worker, 0), force ? KILL_REPEAT : grace);
    return worker.whenEnded();
  }

  /** SIGKILLs whatever is left of the worker, again and again until its leader is gone. */
  private void escalate(SupervisedWorker worker, int attempt) {
    WorkerRecord record = worker.record();
    if (record.state().isEnded()) {
      return;
    }
    int signalled = ProcessTree.signal(record, true);
    if (attempt == 0 && signalled > 0) {
      LOG.info("worker {} outlived its grace; sent SIGKILL to {} processes", worker.workerId(), signalled);
    }
    if (attempt * KILL_REPEAT.toMillis() >= KILL_SETTLE.toMillis() * 3) {
      LOG.error("worker {} (pid {}) does not die; giving up SIGKILLing it", worker.workerId(), record.pid());
      return;
    }
    schedule(() -> escalate(worker, attempt + 1), KILL_REPEAT);
  }

  /**
   * Forgets an ended worker and deletes its directory, logs included.
   *
   * @throws NoSuchElementException for an unknown worker id
   * @throws IllegalStateException when the worker has not ended
   * @throws IOException when the directory cannot be deleted (the worker is forgotten anyway)
   */
  public void forget(String workerId) throws IOException {
    SupervisedWorker worker = requireWorker(workerId);
    WorkerSnapshot snapshot = worker.snapshot();
    if (!snapshot.isEnded()) {
      throw new IllegalStateException(
          "cannot forget worker " + workerId + ": it is " + snapshot.state() + "; kill it first");
    }
    workers.remove(workerId, worker);
    worker.dir().delete();
    LOG.info("forgot worker {}", workerId);
  }

  /** Snapshots of every known worker, running or ended, ordered by worker id. */
  public List<WorkerSnapshot> list() {
    List<WorkerSnapshot> all = new ArrayList<>();
    for (SupervisedWorker worker : workers.values()) {
      all.add(worker.snapshot());
    }
    all.sort(Comparator.comparing(WorkerSnapshot::workerId));
    return all;
  }

  /** The current snapshot of one worker, if known. */
  public Optional<WorkerSnapshot> snapshot(String workerId) {
    return Optional.ofNullable(workers.get(workerId)).map(SupervisedWorker::snapshot);
  }

  /** A handle on a known worker, launched or adopted. */
  public Optional<WorkerHandle> handle(String workerId) {
    return Optional.ofNullable(workers.get(workerId)).map(w -> new WorkerHandle(this, w));
  }

  /**
   * Registers a listener called with the new snapshot on every state change of every worker. Calls
   * come from a single supervisor thread, so the changes of one worker arrive in the order they
   * happened. Not guaranteed: that a listener sees the state a worker is in at the time of the call
   * (it may have moved on), or any call for changes that happened before registration (use
   * {@link #list()}). A listener must return quickly and must not block: it delays every other
   * notification. Exceptions it throws are logged and ignored.
   */
  public void addListener(Consumer<WorkerSnapshot> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  public void removeListener(Consumer<WorkerSnapshot> listener) {
    listeners.remove(listener);
  }

  public Path workRoot() {
    return workRoot;
  }

  /**
   * Stops watching. Does not kill any worker: a task-worker restart must not stop running work. A
   * kill still waiting for its grace to pass is not carried out by this supervisor; it is recorded,
   * and the next supervisor on the same work root finishes it at once (SIGKILL) when it starts.
   * Listeners receive what was already queued for them. Idempotent.
   */
  @Override
  public void close() {
    Lifecycle previous = lifecycle.getAndSet(Lifecycle.CLOSED);
    if (previous == Lifecycle.CLOSED) {
      return;
    }
    watcher.shutdown();
    events.shutdown();
    LOG.info("process supervisor on {} closed; {} workers left as they are", workRoot, workers.size());
  }

  // --- watching ------------------------------------------------------------------------------

  /** The worker's group leader (the wrapper) is gone: record how the worker ended. */
  private void leaderGone(SupervisedWorker worker) {
    WorkerRecord before;
    WorkerSnapshot after;
    synchronized (worker) {
      before = worker.record();
      if (before.state().isEnded()) {
        return;
      }
      Process process = worker.process();
      if (process == null ? ProcFs.isSameProcessAlive(before.pid(), before.startTicks()) : process.isAlive()) {
        return;
      }
      OptionalInt status = worker.dir().readExitStatus();
      WorkerState state;
      String why;
      if (before.killRequested()) {
        state = WorkerState.KILLED;
        why = before.killReason();
      } else if (status.isPresent()) {
        state = WorkerState.EXITED;
        why = "";
      } else {
        state = WorkerState.KILLED;
        why = unrecordedEnd(process);
      }
      // Killed before the end is published: whoever hears a worker ended (a service-master moving
      // its partitions) can rely on none of its processes running any more.
      killLeftovers(before);
      after = worker.update(r -> r.ended(state, status, why, clock.millis()), this::publish);
    }
    LOG.info("worker {} ended: {}{}{}", worker.workerId(), after.state(),
        after.exitCode().isPresent() ? " with status " + after.exitCode().getAsInt() : "",
        after.message().isEmpty() ? "" : " (" + after.message() + ")");
  }

  private static String unrecordedEnd(Process process) {
    if (process != null) {
      int wrapperStatus = process.exitValue();
      if (wrapperStatus > 128) {
        return "the worker's process group was killed by signal " + (wrapperStatus - 128)
            + " from outside the supervisor; no exit status was recorded";
      }
    }
    return "the worker ended without recording an exit status (killed by a signal?)";
  }

  /**
   * Processes left in the group of an ended worker are not supervised by anybody: kill them. Repeated
   * until none is found, because one may fork between a scan and the signals.
   */
  private void killLeftovers(WorkerRecord record) {
    int total = 0;
    for (int pass = 0; pass < LEFTOVER_PASSES; pass++) {
      int killed = ProcessTree.signal(record, true);
      if (killed == 0) {
        break;
      }
      total += killed;
    }
    if (total > 0) {
      LOG.info("sent SIGKILL {} times to processes left behind by ended worker {}", total, record.workerId());
    }
  }

  private void watchdogTick() {
    try {
      List<SupervisedWorker> limited = new ArrayList<>();
      List<SupervisedWorker> programUnseen = new ArrayList<>();
      for (SupervisedWorker worker : workers.values()) {
        WorkerRecord record = worker.record();
        if (record.state() != WorkerState.RUNNING) {
          continue;
        }
        // Adopted workers are not our children; their exit is polled, here and by ProcessHandle.
        if (worker.process() == null && !ProcFs.isSameProcessAlive(record.pid(), record.startTicks())) {
          leaderGone(worker);
          continue;
        }
        if (record.memoryLimitMib() > 0 && !record.killRequested()) {
          limited.add(worker);
        }
        if (worker.programPid() == 0) {
          programUnseen.add(worker);
        }
      }
      if (limited.isEmpty() && programUnseen.isEmpty()) {
        return;
      }
      ProcFs.Table table = ProcFs.scan();
      nameProgramPids(table, programUnseen);
      for (SupervisedWorker worker : limited) {
        WorkerRecord record = worker.record();
        long rssKib = ProcessTree.rssKib(table, record);
        long limitKib = record.memoryLimitMib() * 1024;
        if (rssKib > limitKib) {
          long rssMib = (rssKib + 1023) / 1024;
          String why = "memory limit exceeded: " + rssMib + " MiB > " + record.memoryLimitMib() + " MiB";
          LOG.warn("worker {}: {}", worker.workerId(), why);
          kill(worker, memoryKillGrace, why);
        }
      }
    } catch (RuntimeException e) {
      LOG.error("watchdog tick failed; will retry", e);
    }
  }

  /**
   * Logs once the pid of each worker's program: the wrapper's child (forked, then replaced by the
   * program), which is what an operator looks for in ps or top; the wrapper's pid, logged at launch,
   * only names the process group.
   */
  private static void nameProgramPids(ProcFs.Table table, List<SupervisedWorker> workers) {
    for (SupervisedWorker worker : workers) {
      long wrapper = worker.record().pid();
      table.childOf(wrapper).ifPresent(pid -> {
        worker.programPid(pid);
        LOG.info("worker {}: its program runs as pid {} (process group {})", worker.workerId(), pid, wrapper);
      });
    }
  }

  /** The pid of a running worker's program, once the watchdog has seen it (within a watchdog period of its start). */
  public OptionalLong programPid(String workerId) {
    SupervisedWorker w = workers.get(workerId);
    return w == null || w.programPid() == 0 ? OptionalLong.empty() : OptionalLong.of(w.programPid());
  }

  // --- recovery ------------------------------------------------------------------------------

  private void recoverAll() throws IOException {
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(workRoot, Files::isDirectory)) {
      for (Path path : dirs) {
        try {
          recover(new WorkerDirectory(path));
        } catch (IOException | RuntimeException e) {
          LOG.warn("cannot recover the worker in {}; leaving it alone", path, e);
        }
      }
    }
  }

  private void recover(WorkerDirectory dir) throws IOException {
    Optional<WorkerRecord> found = dir.readRecord();
    if (found.isEmpty()) {
      LOG.warn("{} holds no {}; not a worker, leaving it alone", dir.root(), WorkerDirectory.RECORD_FILE);
      return;
    }
    WorkerRecord recorded = found.get();
    String id = dir.root().getFileName().toString();
    if (!recorded.workerId().equals(id)) {
      LOG.warn("{} records worker {}; ignoring it", dir.root(), recorded.workerId());
      return;
    }
    WorkerRecord recovered = WorkerRecovery.recover(dir, recorded, clock.millis());
    SupervisedWorker worker = new SupervisedWorker(dir, recovered);
    workers.put(id, worker);
    if (!recovered.equals(recorded)) {
      worker.persist();
    }
    WorkerSnapshot snapshot = worker.snapshot();
    publish(snapshot);
    if (recovered.state() == WorkerState.RUNNING) {
      LOG.info("adopted worker {} running as pid {}", id, recovered.pid());
      ProcessHandle.of(recovered.pid())
          .ifPresent(h -> h.onExit().thenRunAsync(() -> leaderGone(worker), watching));
      if (recovered.killRequested()) {
        // The grace began in the earlier incarnation.
        kill(worker, Duration.ZERO, recovered.killReason());
      }
    } else {
      if (!recorded.state().isEnded()) {
        LOG.info("worker {} ended while the task-worker was away: {} {}", id, snapshot.state(),
            snapshot.exitCode().isPresent() ? "status " + snapshot.exitCode().getAsInt() : snapshot.message());
        killLeftovers(recovered);
      }
    }
  }

  // --- plumbing ------------------------------------------------------------------------------

  private void publish(WorkerSnapshot snapshot) {
    try {
      events.execute(
          () -> {
            for (Consumer<WorkerSnapshot> listener : listeners) {
              try {
                listener.accept(snapshot);
              } catch (RuntimeException e) {
                LOG.warn("worker listener failed on {}", snapshot, e);
              }
            }
          });
    } catch (RejectedExecutionException e) {
      LOG.debug("supervisor closed; not reporting {}", snapshot);
    }
  }

  private void schedule(Runnable task, Duration delay) {
    try {
      watcher.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      LOG.debug("supervisor closed; not scheduling");
    }
  }

  private SupervisedWorker requireWorker(String workerId) {
    SupervisedWorker worker = workers.get(workerId);
    if (worker == null) {
      throw new NoSuchElementException("no such worker: " + workerId);
    }
    return worker;
  }

  private void requireStarted() {
    Lifecycle now = lifecycle.get();
    if (now != Lifecycle.STARTED) {
      throw new IllegalStateException("supervisor is " + now + ", not STARTED");
    }
  }

  private static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Options of a {@link ProcessSupervisor}; every one has a default. */
  public static final class Builder {
    private final Path workRoot;
    private Clock clock = Clock.systemUTC();
    private Duration watchdogPeriod = Duration.ofSeconds(1);
    private Duration memoryKillGrace = Duration.ofSeconds(1);
    private Set<String> inheritedEnv = DEFAULT_INHERITED_ENV;
    private Map<String, String> nodeEnv = Map.of();

    private Builder(Path workRoot) {
      this.workRoot = Objects.requireNonNull(workRoot, "workRoot");
    }

    /** The clock of the snapshots' timestamps. Default: the system clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How often memory use (and the liveness of adopted workers) is checked. Default: 1 s. */
    public Builder watchdogPeriod(Duration period) {
      if (period.toMillis() < 1) {
        throw new IllegalArgumentException("watchdogPeriod must be at least 1 ms: " + period);
      }
      this.watchdogPeriod = period;
      return this;
    }

    /** The grace between SIGTERM and SIGKILL for a worker over its memory limit. Default: 1 s. */
    public Builder memoryKillGrace(Duration grace) {
      if (grace.isNegative()) {
        throw new IllegalArgumentException("memoryKillGrace must not be negative: " + grace);
      }
      this.memoryKillGrace = grace;
      return this;
    }

    /**
     * Which variables of the task-worker's own environment a worker inherits (the request's env is
     * added to them). Default: {@link #DEFAULT_INHERITED_ENV}; nothing else leaks, secrets included.
     */
    public Builder inheritedEnvironment(Set<String> names) {
      this.inheritedEnv = Set.copyOf(names);
      return this;
    }

    /**
     * Variables every worker gets from the node, whatever its request says:
     * the paths of the node's security settings. Default: none.
     */
    public Builder nodeEnvironment(Map<String, String> env) {
      this.nodeEnv = Map.copyOf(env);
      return this;
    }

    /**
     * @throws IllegalStateException when {@code /bin/sh}, {@code setsid} or {@code mv} is missing
     */
    public ProcessSupervisor build() {
      return new ProcessSupervisor(this);
    }
  }
}
