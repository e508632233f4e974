package io.feitian.job.plan;

import io.feitian.job.spec.JobGraph;
import io.feitian.proto.job.v1.Assignment;
import io.feitian.proto.job.v1.FileSplit;
import io.feitian.proto.job.v1.InstanceCommit;
import io.feitian.proto.job.v1.JobCounts;
import io.feitian.proto.job.v1.InstanceLog;
import io.feitian.proto.job.v1.InstanceResult;
import io.feitian.proto.job.v1.JobSpec;
import io.feitian.proto.job.v1.JobState;
import io.feitian.proto.job.v1.JobStatus;
import io.feitian.proto.job.v1.Movement;
import io.feitian.proto.job.v1.OutputFile;
import io.feitian.proto.job.v1.OutputPart;
import io.feitian.proto.job.v1.Partitioner;
import io.feitian.proto.job.v1.PipelineInput;
import io.feitian.proto.job.v1.PipelineOutput;
import io.feitian.proto.job.v1.PipelineSpec;
import io.feitian.proto.job.v1.TaskCounts;
import io.feitian.proto.job.v1.TaskSpec;
import io.feitian.proto.job.v1.TaskState;
import io.feitian.proto.job.v1.TaskStatus;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The progress of one job: which tasks may run, which instance a worker runs
 * next and exactly what it reads, and what each attempt's end changes.
 *
 * <p>A task starts when every upstream task has succeeded, so an instance
 * only ever reads committed, complete output. An instance is done when one
 * of its attempts commits; the first commit wins and later ones are
 * reported as duplicates. A failed attempt is retried until the task's
 * max_attempts, then the job fails with that instance's message and log.
 */
public final class JobRun {
  static final int DEFAULT_MAX_ATTEMPTS = 3;

  /** An attempt to stop: its instance was committed by another attempt. */
  public record Cancellation(String workerId, String task, int instance, int attempt) {}

  /** An instance of a task. */
  public record InstanceRef(String task, int instance) {}

  /** A failed attempt, numbered from 1 in the order they failed. */
  public record AttemptFailure(long number, String task, int instance, int attempt, String nodeId, String reason) {}

  /** Failed attempts remembered for {@link #recentFailures()}; older ones are only counted. */
  public static final int RECENT_FAILURES = 1000;

  /** What an attempt's end changed, for the daemon to act on. */
  public enum Change {
    /** Nothing further: the instance goes on (or was retried). */
    NONE,
    /** A later attempt of an instance already done: its output is not used. */
    DUPLICATE,
    /** The attempt's task has now succeeded (other tasks may start). */
    TASK_SUCCEEDED,
    /** The job has ended (succeeded or failed: see {@link #state()}). */
    JOB_ENDED
  }

  private final String jobId;
  private final JobSpec spec;
  private final JobGraph graph;
  private final Map<String, TaskRun> tasks = new LinkedHashMap<>();
  private final FaultRules rules;
  /** Machines bad for several tasks of this job. */
  private final Set<String> jobBlacklist = new LinkedHashSet<>();
  /** Machines blacklisted for the job since the daemon last asked (it reports them to Fuxi). */
  private final List<String> newlyBadForJob = new ArrayList<>();
  /** Redundant attempts (the other attempt of their instance committed) for the daemon to cancel. */
  private final List<Cancellation> cancellations = new ArrayList<>();
  private final List<InstanceRef> uncommitted = new ArrayList<>();
  private final ArrayDeque<AttemptFailure> recentFailures = new ArrayDeque<>();
  private long failures;
  private int clusterNodes;
  private JobState state = JobState.JOB_STATE_RUNNING;
  private String message = "";
  private InstanceLog failure;

  /** {@code splits} holds the splits of every task that reads input. */
  public JobRun(String jobId, JobSpec spec, JobGraph graph, Map<String, List<FileSplit>> splits) {
    this.jobId = jobId;
    this.spec = spec;
    this.graph = graph;
    this.rules = FaultRules.of(spec.getFaults());
    Map<String, Integer> splitCounts = new HashMap<>();
    splits.forEach((task, list) -> splitCounts.put(task, list.size()));
    for (String name : graph.order()) {
      TaskSpec t = graph.task(name);
      int maxAttempts = t.getMaxAttempts() == 0 ? DEFAULT_MAX_ATTEMPTS : t.getMaxAttempts();
      tasks.put(name, new TaskRun(t, graph.instances(name, splitCounts), maxAttempts,
          splits.getOrDefault(name, List.of())));
    }
  }

  public String jobId() {
    return jobId;
  }

  public JobState state() {
    return state;
  }

  public boolean ended() {
    return state != JobState.JOB_STATE_RUNNING;
  }

  public List<String> tasks() {
    return graph.order();
  }

  public TaskRun task(String name) {
    TaskRun t = tasks.get(name);
    if (t == null) {
      throw new IllegalArgumentException("job " + jobId + " has no task '" + name + "'");
    }
    return t;
  }

  /**
   * Starts every waiting task whose upstream tasks have all succeeded and
   * returns them. A task with no instances succeeds at once (and may let
   * others start), so this loops until nothing changes.
   */
  public List<String> startReadyTasks() {
    List<String> started = new ArrayList<>();
    if (ended()) {
      return started;
    }
    boolean changed = true;
    while (changed) {
      changed = false;
      for (String name : graph.order()) {
        TaskRun t = tasks.get(name);
        if (t.state == TaskState.TASK_STATE_WAITING && upstreamDone(name)) {
          t.state = t.instances.length == 0 ? TaskState.TASK_STATE_SUCCEEDED : TaskState.TASK_STATE_RUNNING;
          if (t.state == TaskState.TASK_STATE_RUNNING) {
            started.add(name);
          }
          changed = true;
        }
      }
    }
    endIfAllDone();
    return started;
  }

  private boolean upstreamDone(String task) {
    return graph.inputs(task).stream().allMatch(p -> tasks.get(p.getFrom()).state == TaskState.TASK_STATE_SUCCEEDED);
  }

  /**
   * The next instance for a worker of {@code task} on {@code nodeId}: the
   * lowest pending one. (Locality is decided earlier, when the task asks
   * Fuxi for workers on the nodes that hold its input.) Empty if none is
   * pending or the task is not running.
   */
  public Optional<Assignment> assign(String task, String nodeId, String workerId, long now) {
    TaskRun t = task(task);
    if (ended() || t.state != TaskState.TASK_STATE_RUNNING || !usable(task, nodeId)) {
      return Optional.empty();
    }
    Integer chosen = null;
    for (int i : t.pending) {
      if (!t.instances[i].failedNodes.contains(nodeId)) {
        chosen = i;
        break;
      }
    }
    if (chosen != null) {
      t.pending.remove(chosen);
    } else {
      // A backup runs on another machine than the attempt it backs up.
      for (int i : t.backupWanted) {
        InstanceRun inst = t.instances[i];
        boolean elsewhere = inst.running.values().stream().noneMatch(r -> r.nodeId.equals(nodeId));
        if (elsewhere && !inst.failedNodes.contains(nodeId)) {
          chosen = i;
          break;
        }
      }
      if (chosen == null) {
        return Optional.empty();
      }
      t.backupWanted.remove(chosen);
      t.backups++;
      t.instances[chosen].backedUp = true;
    }
    InstanceRun inst = t.instances[chosen];
    int attempt = inst.attemptsStarted++;
    t.attemptsHere++;
    inst.running.put(attempt, new Running(workerId, nodeId, now));
    return Optional.of(assignment(t, chosen, attempt));
  }

  /** Whether a worker of the task on this machine may run anything (the machine is not blacklisted for it). */
  public boolean usable(String task, String nodeId) {
    return !jobBlacklist.contains(nodeId) && !task(task).blacklist.contains(nodeId);
  }

  /**
   * Machines a new worker of the task should not be on: those blacklisted
   * for it; those where every waiting instance has already failed (a worker
   * there could run none of them, and without this the asks would keep
   * bringing grants back to the machine that just failed them); and, when all
   * it waits for are backups, those running the stragglers (a backup must run
   * elsewhere).
   */
  public Set<String> avoidNodes(String task) {
    TaskRun t = task(task);
    Set<String> out = new LinkedHashSet<>(t.blacklist);
    out.addAll(jobBlacklist);
    if (t.pending.isEmpty()) {
      for (int i : t.backupWanted) {
        t.instances[i].running.values().forEach(r -> out.add(r.nodeId));
      }
    } else {
      Set<String> failedByAll = null;
      for (int i : t.pending) {
        if (failedByAll == null) {
          failedByAll = new HashSet<>(t.instances[i].failedNodes);
        } else {
          failedByAll.retainAll(t.instances[i].failedNodes);
        }
        if (failedByAll.isEmpty()) {
          break;
        }
      }
      out.addAll(failedByAll);
    }
    return out;
  }

  /** The cluster's size, for the limit on blacklisting (0: unknown, no limit). */
  public void clusterSize(int nodes) {
    this.clusterNodes = nodes;
  }

  /** Commits dropped because their outputs were lost, since the last call: their snapshot records go too. */
  public List<InstanceRef> drainUncommitted() {
    List<InstanceRef> out = List.copyOf(uncommitted);
    uncommitted.clear();
    return out;
  }

  /** Attempts to cancel since the last call. */
  public List<Cancellation> drainCancellations() {
    List<Cancellation> out = List.copyOf(cancellations);
    cancellations.clear();
    return out;
  }

  /**
   * Marks stragglers for backup: in a task where enough instances are done,
   * a lone attempt running much longer than the median finished one gets a
   * backup, within the task's backup budget. Returns the tasks that now want
   * backups (they need workers for them).
   */
  public List<String> findStragglers(long now) {
    List<String> wanting = new ArrayList<>();
    if (ended() || !rules.backups()) {
      return wanting;
    }
    for (TaskRun t : tasks.values()) {
      if (t.state != TaskState.TASK_STATE_RUNNING || t.durations.isEmpty()
          || t.done * 100L < (long) rules.backupAfterDonePercent() * t.instances.length) {
        continue;
      }
      long threshold = Math.max(rules.backupMinRuntimeMs(), (long) (rules.backupSlowness() * t.medianDuration()));
      List<InstanceRun> slow = new ArrayList<>();
      int runningInstances = 0;
      int backups = t.backupWanted.size();
      for (InstanceRun i : t.instances) {
        if (i.committed != null || i.running.isEmpty()) {
          continue;
        }
        runningInstances++;
        backups += i.running.size() > 1 ? 1 : 0;
        long started = i.running.values().stream().mapToLong(r -> r.startedAt).min().orElse(now);
        if (!i.backedUp && i.running.size() == 1 && !t.backupWanted.contains(i.index) && now - started >= threshold) {
          slow.add(i);
        }
      }
      slow.sort(java.util.Comparator.comparingLong(
          i -> i.running.values().stream().mapToLong(r -> r.startedAt).min().orElse(now)));
      int room = rules.backupsAllowed(runningInstances) - backups;
      for (int k = 0; k < Math.min(room, slow.size()); k++) {
        t.backupWanted.add(slow.get(k).index);
      }
      if (room > 0 && !slow.isEmpty()) {
        wanting.add(t.spec.getName());
      }
    }
    return wanting;
  }

  private Assignment assignment(TaskRun t, int index, int attempt) {
    String name = t.spec.getName();
    Assignment.Builder a = Assignment.newBuilder().setTask(name).setInstance(index).setAttempt(attempt);
    if (t.spec.hasInput()) {
      a.setSplit(t.splits.get(index));
    }
    for (PipelineSpec p : graph.inputs(name)) {
      TaskRun up = tasks.get(p.getFrom());
      PipelineInput.Builder in = PipelineInput.newBuilder().setFromTask(p.getFrom())
          .setBroadcast(p.getMovement() == Movement.MOVEMENT_BROADCAST);
      switch (p.getMovement()) {
        case MOVEMENT_SCATTER_GATHER -> {
          for (InstanceRun u : up.instances) {
            in.addParts(part(up, u, name, index));
          }
        }
        case MOVEMENT_ONE_TO_ONE -> in.addParts(part(up, up.instances[index], name, 0));
        default -> {
          for (InstanceRun u : up.instances) {
            in.addParts(part(up, u, name, 0));
          }
        }
      }
      a.addInputs(in);
    }
    for (PipelineSpec p : graph.outputs(name)) {
      boolean scatter = p.getMovement() == Movement.MOVEMENT_SCATTER_GATHER;
      a.addOutputs(PipelineOutput.newBuilder().setToTask(p.getTo()).setPartitions(scatter ? p.getPartitions() : 1)
          .setRangeBoundariesFrom(p.getPartitioner() == Partitioner.PARTITIONER_RANGE ? p.getRangeBoundariesFrom() : ""));
    }
    if (graph.isSink(name)) {
      a.setFinalOutput(spec.getOutputDir() + "/" + name + "/" + String.format("part-%05d", index));
    }
    return a.build();
  }

  /** The committed file of an upstream instance for one downstream task and partition. */
  private static OutputPart part(TaskRun up, InstanceRun u, String toTask, int partition) {
    Committed c = u.committed;
    OutputFile file = c.outputs.stream()
        .filter(f -> f.getToTask().equals(toTask) && f.getPartition() == partition).findFirst()
        .orElseThrow(() -> new IllegalStateException(up.spec.getName() + "[" + u.index + "] committed no partition "
            + partition + " for " + toTask));
    return OutputPart.newBuilder().setNodeAddress(c.nodeAddress).setTask(up.spec.getName()).setInstance(u.index)
        .setAttempt(c.attempt).setToTask(toTask).setPartition(partition).setLength(file.getLength())
        .setCrc32C(file.getCrc32C()).build();
  }

  /** An attempt ended, as its worker reports; {@code nodeAddress} serves its outputs. */
  public Change finished(InstanceResult r, String nodeId, String nodeAddress, long now) {
    TaskRun t = task(r.getTask());
    if (r.getInstance() < 0 || r.getInstance() >= t.instances.length) {
      throw new IllegalArgumentException("result.instance " + r.getInstance() + " is not an instance of " + r.getTask());
    }
    InstanceRun inst = t.instances[r.getInstance()];
    Running was = inst.running.remove(r.getAttempt());
    if (was != null) {
      inst.lastLog = InstanceLog.newBuilder().setTask(r.getTask()).setInstance(r.getInstance())
          .setAttempt(r.getAttempt()).setNodeId(nodeId).setText(r.getLogTail()).build();
    }
    if (was == null) {
      return inst.committed != null ? Change.DUPLICATE : Change.NONE; // cancelled, or already counted as lost
    }
    if (ended()) {
      return Change.NONE;
    }
    if (r.getSucceeded()) {
      if (inst.committed != null) {
        return Change.DUPLICATE;
      }
      inst.committed = new Committed(r.getAttempt(), nodeId, nodeAddress, List.copyOf(r.getOutputsList()),
          now - was.startedAt);
      t.durations.add(now - was.startedAt);
      t.backupWanted.remove(inst.index);
      // The other attempts of this instance (a backup, or the straggler it backed up) lost the race.
      inst.running.forEach((attempt, other) -> cancellations.add(
          new Cancellation(other.workerId, r.getTask(), inst.index, attempt)));
      inst.running.clear();
      t.done++;
      t.recordsIn += r.getRecordsIn();
      t.recordsOut += r.getRecordsOut();
      if (t.done == t.instances.length) {
        t.state = TaskState.TASK_STATE_SUCCEEDED;
        return endIfAllDone() ? Change.JOB_ENDED : Change.TASK_SUCCEEDED;
      }
      return Change.NONE;
    }
    if (!r.getLostInputNode().isEmpty()) {
      // Its input is gone, not its fault: run it again once the input has been regenerated.
      if (inst.running.isEmpty() && inst.committed == null) {
        t.pending.add(inst.index);
      }
      outputsLost(r.getLostInputNode());
      return Change.NONE;
    }
    return attemptFailed(t, inst, r.getAttempt(), nodeId, r.getMessage(), r.getLogTail());
  }

  /** The task-workers that serve committed outputs (also those a predecessor committed, restored). */
  public Set<String> nodesHoldingOutputs() {
    Set<String> nodes = new LinkedHashSet<>();
    for (TaskRun t : tasks.values()) {
      for (InstanceRun i : t.instances) {
        if (i.committed != null) {
          nodes.add(i.committed.nodeAddress);
        }
      }
    }
    return nodes;
  }

  /**
   * The committed outputs held by a task-worker are gone (its node was lost,
   * or a part could not be read from it). Instances whose outputs a task
   * still needs are run again; downstream tasks that were running wait for
   * them (their running attempts are cancelled, not counted as failures).
   * Returns the tasks that run again.
   */
  public List<String> outputsLost(String nodeAddress) {
    List<String> rerun = new ArrayList<>();
    if (ended()) {
      return rerun;
    }
    for (String name : graph.order()) {
      TaskRun t = tasks.get(name);
      boolean needed = graph.outputs(name).stream()
          .anyMatch(p -> tasks.get(p.getTo()).state != TaskState.TASK_STATE_SUCCEEDED);
      if (!needed) {
        continue;
      }
      boolean lost = false;
      for (InstanceRun i : t.instances) {
        if (i.committed != null && i.committed.nodeAddress.equals(nodeAddress)) {
          i.committed = null;
          uncommitted.add(new InstanceRef(name, i.index));
          t.done--;
          t.pending.add(i.index);
          lost = true;
        }
      }
      if (lost) {
        t.state = TaskState.TASK_STATE_RUNNING;
        rerun.add(name);
        for (var p : graph.outputs(name)) {
          waitAgain(tasks.get(p.getTo()));
        }
      }
    }
    return rerun;
  }

  /** A running task whose input is being regenerated goes back to waiting; its attempts stop. */
  private void waitAgain(TaskRun d) {
    if (d.state != TaskState.TASK_STATE_RUNNING) {
      return;
    }
    d.state = TaskState.TASK_STATE_WAITING;
    d.backupWanted.clear();
    for (InstanceRun i : d.instances) {
      i.running.forEach((attempt, r) -> cancellations.add(new Cancellation(r.workerId, d.spec.getName(), i.index,
          attempt)));
      if (!i.running.isEmpty() && i.committed == null) {
        d.pending.add(i.index);
      }
      i.running.clear();
    }
  }

  /** What the task's snapshot records for a committed instance (null if it is not committed). */
  public InstanceCommit commitOf(String task, int instance) {
    InstanceRun inst = task(task).instances[instance];
    Committed c = inst.committed;
    if (c == null) {
      return null;
    }
    return InstanceCommit.newBuilder().setAttempt(c.attempt).setNodeId(c.nodeId).setNodeAddress(c.nodeAddress)
        .addAllOutputs(c.outputs).setDurationMs(c.durationMs).build();
  }

  /**
   * Takes an instance committed by an earlier job-master (from the task's
   * snapshot) as done, before anything runs. Its attempt numbers continue
   * after the recorded one, so a new attempt never reuses a committed name.
   */
  public void restore(String task, int instance, InstanceCommit c) {
    TaskRun t = task(task);
    if (instance < 0 || instance >= t.instances.length) {
      throw new IllegalArgumentException("the snapshot of " + task + " names instance " + instance + ", which the task"
          + " does not have (" + t.instances.length + " instances)");
    }
    InstanceRun inst = t.instances[instance];
    if (inst.committed != null) {
      return;
    }
    inst.committed = new Committed(c.getAttempt(), c.getNodeId(), c.getNodeAddress(), List.copyOf(c.getOutputsList()),
        c.getDurationMs());
    inst.attemptsStarted = Math.max(inst.attemptsStarted, c.getAttempt() + 1);
    t.pending.remove(instance);
    t.durations.add(c.getDurationMs());
    t.done++;
    t.restored++;
    t.recordsIn += c.getRecordsIn();
    t.recordsOut += c.getRecordsOut();
    if (t.done == t.instances.length) {
      t.state = TaskState.TASK_STATE_SUCCEEDED;
    }
  }

  /**
   * Numbers new attempts from {@code first} on: a restarted job-master does
   * not know which attempt numbers its predecessor used (their outputs may
   * be committed on nodes), so each master generation takes its own range.
   */
  public void startAttemptsAt(int first) {
    for (TaskRun t : tasks.values()) {
      for (InstanceRun i : t.instances) {
        i.attemptsStarted = Math.max(i.attemptsStarted, first);
      }
    }
  }

  /**
   * Goes on counting from what a predecessor recorded of its tasks' attempts (its counts, taken
   * before this master starts anything). Tasks the job no longer has are ignored.
   */
  public void carryOver(JobCounts earlier) {
    earlier.getTasksMap().forEach((name, c) -> {
      TaskRun t = tasks.get(name);
      if (t != null) {
        t.attemptsBefore += c.getAttempts();
        t.failedAttempts += c.getFailedAttempts();
        t.backups += c.getBackups();
      }
    });
  }

  /** Every task's attempt figures now, for a successor to {@link #carryOver}. */
  public JobCounts counts() {
    JobCounts.Builder out = JobCounts.newBuilder();
    tasks.forEach((name, t) -> out.putTasks(name, TaskCounts.newBuilder().setAttempts(t.attempts())
        .setFailedAttempts(t.failedAttempts).setBackups(t.backups).build()));
    return out.build();
  }

  /**
   * Takes over an attempt a predecessor started, which a Task Worker still
   * runs (or has the result of): it counts as running here, and its result
   * is taken like any other. Returns false when the attempt is not wanted
   * (the instance is committed, or the task does not run now); the worker
   * is told to cancel it.
   */
  public boolean adopt(String task, int instance, int attempt, String workerId, String nodeId, long now) {
    TaskRun t = task(task);
    if (instance < 0 || instance >= t.instances.length) {
      throw new IllegalArgumentException("hello.adopt names instance " + instance + ", which task " + task
          + " does not have (" + t.instances.length + " instances)");
    }
    InstanceRun inst = t.instances[instance];
    if (ended() || t.state != TaskState.TASK_STATE_RUNNING || inst.committed != null
        || inst.running.containsKey(attempt)) {
      return false;
    }
    inst.running.put(attempt, new Running(workerId, nodeId, now));
    t.pending.remove(instance);
    t.adopted++; // counted in attempts by the master that started it
    return true;
  }

  /** A worker is gone: its running attempts failed (they are retried like any failure). */
  public List<String> workerLost(String workerId, String why) {
    return endAttemptsOf(workerId, why, true);
  }

  /**
   * A worker went with its node (Fuxi declared the node lost): its running attempts were killed, not
   * failed. They run again, on any machine including that one once it is back, and count neither
   * against the instance's attempts nor toward blacklisting the machine: the node's health is Fuxi's to
   * judge. MapReduce and Tez count attempts killed by a lost node apart from failed ones for the same
   * reason: on a loaded cluster, nodes that miss a few heartbeats would otherwise fail healthy jobs.
   */
  public List<String> workerLostWithItsNode(String workerId, String why) {
    return endAttemptsOf(workerId, why, false);
  }

  private List<String> endAttemptsOf(String workerId, String why, boolean failed) {
    List<String> affectedTasks = new ArrayList<>();
    for (TaskRun t : tasks.values()) {
      for (InstanceRun inst : t.instances) {
        for (var e : List.copyOf(inst.running.entrySet())) {
          if (e.getValue().workerId.equals(workerId)) {
            inst.running.remove(e.getKey());
            if (!ended() && inst.committed == null) {
              if (failed) {
                attemptFailed(t, inst, e.getKey(), e.getValue().nodeId, why, "");
              } else if (inst.running.isEmpty()) {
                t.pending.add(inst.index);
              }
            }
            affectedTasks.add(t.spec.getName());
          }
        }
      }
    }
    return affectedTasks;
  }

  private Change attemptFailed(TaskRun t, InstanceRun inst, int attempt, String nodeId, String why, String log) {
    t.failedAttempts++;
    if (recentFailures.size() == RECENT_FAILURES) {
      recentFailures.removeFirst();
    }
    recentFailures.addLast(new AttemptFailure(++failures, t.spec.getName(), inst.index, attempt, nodeId, why));
    inst.failures++;
    inst.failedNodes.add(nodeId);
    if (blacklistIfBad(t, nodeId)) {
      return Change.JOB_ENDED;
    }
    if (inst.committed != null || !inst.running.isEmpty()) {
      return Change.NONE; // another attempt of it is done or still running
    }
    boolean nowhereLeft = clusterNodes > 0 && unusableFor(t, inst) >= clusterNodes;
    if (inst.failures >= t.maxAttempts || nowhereLeft) {
      inst.failed = true;
      t.state = TaskState.TASK_STATE_FAILED;
      fail(t.spec.getName() + "[" + inst.index + "] failed " + inst.failures + " times"
          + (nowhereLeft ? ", on every machine it may still use" : "") + "; last on " + nodeId + ": " + why,
          InstanceLog.newBuilder().setTask(t.spec.getName()).setInstance(inst.index).setAttempt(attempt)
              .setNodeId(nodeId).setText(log).build());
      return Change.JOB_ENDED;
    }
    t.pending.add(inst.index);
    return Change.NONE;
  }

  /** Machines an instance cannot run on: where it failed, and the machines blacklisted for its task. */
  private int unusableFor(TaskRun t, InstanceRun inst) {
    Set<String> out = new HashSet<>(inst.failedNodes);
    out.addAll(t.blacklist);
    out.addAll(jobBlacklist);
    return out.size();
  }

  /**
   * Counts a failure of the task on the machine; blacklists the machine for
   * the task, and for the job when enough tasks did. Returns true if the job
   * failed because it would blacklist too much of the cluster.
   */
  private boolean blacklistIfBad(TaskRun t, String nodeId) {
    if (t.failuresByNode.merge(nodeId, 1, Integer::sum) < rules.taskMachineFailures() || !t.blacklist.add(nodeId)) {
      return false;
    }
    long tasksAgainst = tasks.values().stream().filter(o -> o.blacklist.contains(nodeId)).count();
    if (tasksAgainst >= rules.jobMachineTasks() && jobBlacklist.add(nodeId)) {
      newlyBadForJob.add(nodeId);
    }
    Set<String> banned = new HashSet<>(t.blacklist);
    banned.addAll(jobBlacklist);
    if (clusterNodes > 0 && banned.size() * 100L > (long) rules.maxBlacklistedPercent() * clusterNodes) {
      fail("task " + t.spec.getName() + " would blacklist " + banned.size() + " of the cluster's " + clusterNodes
          + " machines (" + String.join(", ", new java.util.TreeSet<>(banned)) + "), more than the job's limit of "
          + rules.maxBlacklistedPercent() + "%: its instances fail on most machines", null);
      return true;
    }
    return false;
  }

  /** The last {@link #RECENT_FAILURES} failed attempts, oldest first. */
  public List<AttemptFailure> recentFailures() {
    return List.copyOf(recentFailures);
  }

  /** Machines blacklisted for the job since the last call. */
  public List<String> drainNewlyBadNodes() {
    List<String> out = List.copyOf(newlyBadForJob);
    newlyBadForJob.clear();
    return out;
  }

  /** Machines blacklisted for the job. */
  public Set<String> jobBlacklist() {
    return Set.copyOf(jobBlacklist);
  }

  /** Ends the job as failed for a reason outside its instances (workers that cannot start, Fuxi ended it). */
  public void fail(String why) {
    if (!ended()) {
      fail(why, null);
    }
  }

  private void fail(String why, InstanceLog log) {
    state = JobState.JOB_STATE_FAILED;
    message = why;
    failure = log;
    stopTasks(TaskState.TASK_STATE_KILLED);
  }

  /** Ends the job as killed; running attempts are to be cancelled by the daemon. */
  public void kill(String reason) {
    if (ended()) {
      return;
    }
    state = JobState.JOB_STATE_KILLED;
    message = reason;
    stopTasks(TaskState.TASK_STATE_KILLED);
  }

  private void stopTasks(TaskState to) {
    for (TaskRun t : tasks.values()) {
      if (t.state == TaskState.TASK_STATE_RUNNING || t.state == TaskState.TASK_STATE_WAITING) {
        t.state = to;
      }
      t.pending.clear();
    }
  }

  private boolean endIfAllDone() {
    if (!ended() && tasks.values().stream().allMatch(t -> t.state == TaskState.TASK_STATE_SUCCEEDED)) {
      state = JobState.JOB_STATE_SUCCEEDED;
      return true;
    }
    return ended();
  }

  /**
   * The logs of the latest ended attempt of instances: of one instance, of
   * every instance of a task ({@code instance} < 0), or of every failed
   * attempt's instance in the job ({@code task} empty).
   */
  public List<InstanceLog> logs(String task, int instance) {
    List<InstanceLog> out = new ArrayList<>();
    for (TaskRun t : tasks.values()) {
      if (!task.isEmpty() && !t.spec.getName().equals(task)) {
        continue;
      }
      for (InstanceRun i : t.instances) {
        boolean wanted = task.isEmpty() ? i.failures > 0 : instance < 0 || i.index == instance;
        if (wanted && i.lastLog != null) {
          out.add(i.lastLog);
        }
      }
    }
    if (!task.isEmpty()) {
      task(task); // an unknown task is an error, not an empty answer
    }
    return out;
  }

  /** The job's status, as clients see it. */
  public JobStatus status() {
    JobStatus.Builder s = JobStatus.newBuilder().setJobId(jobId).setName(spec.getName()).setState(state)
        .setMessage(message).setOutputDir(spec.getOutputDir()).addAllBlacklistedNodes(jobBlacklist);
    if (failure != null) {
      s.setFailure(failure);
    }
    for (TaskRun t : tasks.values()) {
      s.addTasks(t.status());
    }
    return s.build();
  }

  // ---- the state of tasks and instances ------------------------------------------------------

  private record Running(String workerId, String nodeId, long startedAt) {}

  private record Committed(int attempt, String nodeId, String nodeAddress, List<OutputFile> outputs,
      long durationMs) {}

  private static final class InstanceRun {
    final int index;
    int attemptsStarted;
    int failures;
    boolean failed;
    InstanceLog lastLog;
    /** Machines where an attempt of it failed: it is not run there again. */
    final Set<String> failedNodes = new HashSet<>();
    /** A backup was started for it (once is enough). */
    boolean backedUp;
    final Map<Integer, Running> running = new HashMap<>();
    Committed committed;

    InstanceRun(int index) {
      this.index = index;
    }
  }

  /** One task's instances. */
  public static final class TaskRun {
    final TaskSpec spec;
    final InstanceRun[] instances;
    final int maxAttempts;
    final List<FileSplit> splits;
    /** Instances waiting for a worker, lowest first. */
    final TreeSet<Integer> pending = new TreeSet<>();
    /** Stragglers waiting for a worker to run their backup. */
    final Set<Integer> backupWanted = new LinkedHashSet<>();
    final Map<String, Integer> failuresByNode = new HashMap<>();
    final Set<String> blacklist = new LinkedHashSet<>();
    /** Run times of committed attempts, for spotting stragglers. */
    final List<Long> durations = new ArrayList<>();
    int backups;
    int restored;
    /** What predecessors recorded of their attempts (their figures may lag their last moments). */
    int attemptsBefore;
    int attemptsHere;
    int adopted;
    TaskState state = TaskState.TASK_STATE_WAITING;
    int done;
    int failedAttempts;
    long recordsIn;
    long recordsOut;

    TaskRun(TaskSpec spec, int count, int maxAttempts, List<FileSplit> splits) {
      this.spec = spec;
      this.instances = new InstanceRun[count];
      this.maxAttempts = maxAttempts;
      this.splits = splits;
      for (int i = 0; i < count; i++) {
        instances[i] = new InstanceRun(i);
        pending.add(i);
      }
    }

    public TaskSpec spec() {
      return spec;
    }

    public TaskState state() {
      return state;
    }

    public int instances() {
      return instances.length;
    }

    /** Attempts waiting for a worker: pending instances and wanted backups. */
    public int pending() {
      return pending.size() + backupWanted.size();
    }

    /**
     * Every master's attempts. A predecessor records its figure periodically, so it may miss the
     * attempts it started just before it died; but each restored commit and each adopted attempt is
     * one of theirs, which bounds the figure from below.
     */
    int attempts() {
      return attemptsHere + Math.max(attemptsBefore, restored + adopted);
    }

    long medianDuration() {
      List<Long> sorted = new ArrayList<>(durations);
      sorted.sort(null);
      return sorted.get(sorted.size() / 2);
    }

    public int running() {
      int n = 0;
      for (InstanceRun i : instances) {
        n += i.running.size();
      }
      return n;
    }


    TaskStatus status() {
      int failed = 0;
      int runningInstances = 0;
      for (InstanceRun i : instances) {
        failed += i.failed ? 1 : 0;
        runningInstances += i.running.isEmpty() || i.committed != null ? 0 : 1;
      }
      return TaskStatus.newBuilder().setName(spec.getName()).setState(state).setInstances(instances.length)
          .setPending(pending.size()).setRunning(runningInstances).setDone(done).setFailed(failed)
          .setFailedAttempts(failedAttempts).setRecordsIn(recordsIn).setRecordsOut(recordsOut)
          .addAllBlacklistedNodes(blacklist).setBackups(backups).setRestored(restored)
          .setAttempts(attempts()).setAttemptsHere(attemptsHere).setAdopted(adopted).build();
    }
  }
}
