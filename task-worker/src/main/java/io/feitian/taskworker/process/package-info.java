/**
 * Supervision of the worker processes a task-worker runs on its node: child masters, Task Workers and
 * Service Workers that masters place here.
 *
 * <p>{@link io.feitian.taskworker.process.ProcessSupervisor} is the facade. It launches a program
 * described by a {@link io.feitian.taskworker.process.LaunchRequest}, watches it, enforces its memory
 * limit, kills it on request and reports every state change as an immutable
 * {@link io.feitian.taskworker.process.WorkerSnapshot}. This package has no gRPC, protobuf or
 * ZooKeeper imports; the daemon's RPC layer turns requests into calls on the supervisor.
 *
 * <h2>On-disk layout</h2>
 * Each worker owns {@code workRoot/<workerId>/}:
 * <pre>
 *   work/              the program's working directory (FEITIAN_WORK_DIR)
 *   stdout.log         the program's standard output (a file, never a pipe)
 *   stderr.log         the program's standard error
 *   worker.properties  what the supervisor knows: ids, argv, pid, process start time, state
 *   pid                the pid of the launch wrapper, written by the wrapper itself
 *   exit_status        the program's exit status, written by the wrapper when the program ends
 * </pre>
 * Every file the supervisor or the wrapper writes is written to a temporary name and renamed, so a
 * reader sees either the old content or the new, never half of it.
 *
 * <h2>Why a wrapper and a session</h2>
 * A program is started as {@code setsid /bin/sh -c <wrapper> ... program args}. {@code setsid} makes
 * the wrapper the leader of a new session and process group (its pid is the group id), so the worker
 * gets no SIGHUP when the task-worker goes away, and the whole tree can be signalled as a group. The
 * wrapper records the program's exit status in {@code exit_status}; that is how the status is learnt
 * after the task-worker restarted and is no longer the parent. The wrapper installs no-op handlers
 * for HUP, INT, QUIT and TERM so that a group-wide SIGTERM leaves it alive to record the status
 * (handlers, unlike ignored signals, are reset to the default in the program it executes).
 *
 * <h2>Restarts</h2>
 * Closing the supervisor, or the task-worker dying (even by SIGKILL), does not stop any worker. A new
 * supervisor on the same work root adopts every worker whose pid is alive and whose kernel start time
 * still matches the recorded one, and reports the others as ended. Ended workers stay listed until
 * {@link io.feitian.taskworker.process.ProcessSupervisor#forget forgotten}.
 *
 * <h2>Limits and non-goals</h2>
 * Linux only: the supervisor reads {@code /proc}. Memory is enforced by a watchdog that sums the
 * resident set size of the worker's process tree every period and kills the worker when it is over
 * its limit, so a fast allocation can overshoot for up to one period. CPU is not limited in this
 * version (cgroups may not be available). A process that leaves the worker's process group and
 * is re-parented away from it (a double-forking daemon calling setsid) escapes supervision.
 * Processes that outlive the worker's main program inside its process group are killed when the
 * worker ends.
 */
package io.feitian.taskworker.process;
