package io.feitian.taskworker.process;

import java.util.Optional;
import java.util.Set;

/**
 * Finds and signals the live processes of one worker: its process group and every descendant of its
 * leader. Signals go to individual processes through {@link ProcessHandle}, which checks each
 * process's start time before signalling, so a pid that was reused meanwhile is not hit.
 */
final class ProcessTree {
  private ProcessTree() {}

  /**
   * The worker's live processes, or none when its leader pid now belongs to another process (its
   * group id might then belong to that process's group, which is not ours to touch).
   */
  static Set<Long> members(ProcFs.Table table, WorkerRecord record) {
    if (record.pid() <= 0) {
      return Set.of();
    }
    Optional<ProcStat> leader = table.get(record.pid());
    if (leader.isPresent() && !leader.get().isDead() && leader.get().startTicks() != record.startTicks()) {
      return Set.of();
    }
    return table.tree(record.pid(), record.pgid());
  }

  /** Sends SIGTERM ({@code force} false) or SIGKILL to every live process; returns how many. */
  static int signal(WorkerRecord record, boolean force) {
    int signalled = 0;
    for (long pid : members(ProcFs.scan(), record)) {
      Optional<ProcessHandle> handle = ProcessHandle.of(pid);
      if (handle.isPresent() && handle.get().pid() != ProcessHandle.current().pid()) {
        boolean sent = force ? handle.get().destroyForcibly() : handle.get().destroy();
        if (sent) {
          signalled++;
        }
      }
    }
    return signalled;
  }

  /** Resident set size of the worker's processes, in KiB. */
  static long rssKib(ProcFs.Table table, WorkerRecord record) {
    long total = 0;
    for (long pid : members(table, record)) {
      total += ProcFs.rssKib(pid);
    }
    return total;
  }
}
