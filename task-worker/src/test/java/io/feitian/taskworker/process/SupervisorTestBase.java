package io.feitian.taskworker.process;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the supervisor tests share: a fresh work root, supervisors that are closed after the test,
 * a listener that records every snapshot, and a register of every process a test caused so that
 * each one is SIGKILLed after the test, whatever happened.
 */
abstract class SupervisorTestBase {
  static final Duration DEADLINE = Duration.ofSeconds(30);

  @TempDir Path tmp;

  private final List<ProcessSupervisor> supervisors = new ArrayList<>();
  /** pid -> kernel start time, for every process a test started or learnt of. */
  private final Map<Long, Long> started = new ConcurrentHashMap<>();

  Path workRoot() {
    return tmp.resolve("workers");
  }

  /** A started supervisor on {@link #workRoot()} with a fast watchdog, recording into {@code events}. */
  ProcessSupervisor startSupervisor(Recorder events) throws IOException {
    ProcessSupervisor supervisor = newSupervisor(events);
    supervisor.start();
    return supervisor;
  }

  ProcessSupervisor newSupervisor(Recorder events) {
    return newSupervisor(events, ProcessSupervisor.builder(workRoot()));
  }

  ProcessSupervisor newSupervisor(Recorder events, ProcessSupervisor.Builder builder) {
    ProcessSupervisor supervisor = builder.watchdogPeriod(Duration.ofMillis(100)).build();
    supervisor.addListener(events);
    supervisor.addListener(s -> track(s.pid()));
    supervisors.add(supervisor);
    return supervisor;
  }

  /** Registers a process for the clean-up, with its current start time (so a reused pid is spared). */
  void track(long pid) {
    if (pid > 0) {
      ProcFs.stat(pid).ifPresent(s -> started.putIfAbsent(pid, s.startTicks()));
    }
  }

  /**
   * SIGKILLs, again and again until none is left, every process in the group or under any process
   * the test started (a process may fork between a scan and the signals).
   */
  @AfterEach
  void killEverythingStarted() {
    for (ProcessSupervisor supervisor : supervisors) {
      supervisor.close();
    }
    trackRecordedWorkers();
    await("every process the test started is gone")
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> killTracked() == 0);
  }

  /** Every worker recorded under the work root, with the start time the supervisor recorded. */
  private void trackRecordedWorkers() {
    if (!Files.isDirectory(workRoot())) {
      return;
    }
    try (var dirs = Files.list(workRoot())) {
      for (Path dir : dirs.toList()) {
        try {
          new WorkerDirectory(dir).readRecord()
              .filter(r -> r.pid() > 0)
              .ifPresent(r -> started.putIfAbsent(r.pid(), r.startTicks()));
        } catch (IOException | RuntimeException e) {
          // not a worker
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private int killTracked() {
    ProcFs.Table table = ProcFs.scan();
    int alive = 0;
    for (Map.Entry<Long, Long> entry : started.entrySet()) {
      long pid = entry.getKey();
      Optional<ProcStat> now = table.get(pid);
      if (now.isPresent() && !now.get().isDead() && now.get().startTicks() != entry.getValue()) {
        continue; // the pid was reused: not ours, and neither is its group
      }
      for (long member : table.tree(pid, pid)) {
        ProcessHandle.of(member).ifPresent(ProcessHandle::destroyForcibly);
        alive++;
      }
    }
    return alive;
  }

  static LaunchRequest request(String workerId, String... argv) {
    return LaunchRequest.of(workerId, "app-1", 42, "worker " + workerId, List.of(argv));
  }

  static LaunchRequest shell(String workerId, String script) {
    return request(workerId, "/bin/sh", "-c", script);
  }

  static WorkerSnapshot awaitEnded(WorkerHandle handle) throws Exception {
    return handle.onEnded().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
  }

  /** Waits for a file written by a worker to hold a pid, and registers that process for clean-up. */
  long awaitPidIn(Path file) {
    await("pid in " + file).atMost(DEADLINE).until(() -> readLong(file).isPresent());
    long pid = readLong(file).orElseThrow();
    track(pid);
    return pid;
  }

  static Optional<Long> readLong(Path file) {
    try {
      String text = Files.readString(file).trim();
      return text.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(text));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  static void awaitGone(long pid) {
    await("pid " + pid + " gone").atMost(DEADLINE).until(() -> !ProcFs.isAlive(pid));
  }

  /** Records every snapshot a supervisor publishes, in order. */
  static final class Recorder implements Consumer<WorkerSnapshot> {
    private final List<WorkerSnapshot> seen = new ArrayList<>();

    @Override
    public synchronized void accept(WorkerSnapshot snapshot) {
      seen.add(snapshot);
    }

    synchronized List<WorkerState> states(String workerId) {
      return seen.stream()
          .filter(s -> s.workerId().equals(workerId))
          .map(WorkerSnapshot::state)
          .collect(Collectors.toList());
    }

    synchronized Optional<WorkerSnapshot> last(String workerId) {
      for (int i = seen.size() - 1; i >= 0; i--) {
        if (seen.get(i).workerId().equals(workerId)) {
          return Optional.of(seen.get(i));
        }
      }
      return Optional.empty();
    }

    /** Waits until {@code workerId} reached {@code state} and returns that snapshot. */
    WorkerSnapshot awaitState(String workerId, WorkerState state) {
      await(workerId + " " + state).atMost(DEADLINE).until(() -> states(workerId).contains(state));
      synchronized (this) {
        return seen.stream()
            .filter(s -> s.workerId().equals(workerId) && s.state() == state)
            .findFirst()
            .orElseThrow();
      }
    }
  }
}
