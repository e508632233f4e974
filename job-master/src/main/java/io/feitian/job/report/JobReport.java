package io.feitian.job.report;

import io.feitian.client.shennong.DaemonReport;
import io.feitian.job.plan.JobRun.AttemptFailure;
import io.feitian.proto.job.v1.JobState;
import io.feitian.proto.job.v1.JobStatus;
import io.feitian.proto.job.v1.TaskStatus;
import io.feitian.proto.shennong.v1.Severity;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Figures and events from successive views of one job, as its job-master holds it. Figures are
 * per task: instances by state, failed attempts and backups started (totals), machines
 * blacklisted. Events are what changed since the previous view: attempts that failed, machines
 * blacklisted (for a task or for the whole job), and the job's end, reported once.
 *
 * <p>The writer adds the label {@code job}; figures here carry {@code task} (and {@code state}).
 */
public final class JobReport {
  /** One view, taken on the job-master's loop: the job's status and its most recent failed attempts. */
  public record View(JobStatus status, List<AttemptFailure> recentFailures) {
    public View {
      recentFailures = List.copyOf(recentFailures);
    }
  }

  private long failuresSeen;
  /** Blacklisted machines already reported: "task/node" for a task's, "/node" for the job's. */
  private final Set<String> blacklistSeen = new HashSet<>();
  private boolean endReported;

  /** The report of a view. */
  public DaemonReport next(View view) {
    JobStatus status = view.status();
    DaemonReport.Builder r = new DaemonReport.Builder();
    for (TaskStatus t : status.getTasksList()) {
      String task = t.getName();
      // Every instance in exactly one state: "waiting" is whatever neither runs nor has ended.
      int waiting = Math.max(0, t.getInstances() - t.getRunning() - t.getDone() - t.getFailed());
      r.gauge("job.instances", waiting, "task", task, "state", "waiting")
          .gauge("job.instances", t.getRunning(), "task", task, "state", "running")
          .gauge("job.instances", t.getDone(), "task", task, "state", "done")
          .gauge("job.instances", t.getFailed(), "task", task, "state", "failed")
          .counter("job.attempts.failed", t.getFailedAttempts(), "task", task)
          .counter("job.backups.started", t.getBackups(), "task", task)
          .gauge("job.task.blacklisted.nodes", t.getBlacklistedNodesCount(), "task", task);
      for (String node : t.getBlacklistedNodesList()) {
        if (blacklistSeen.add(task + "/" + node)) {
          r.event("job.node.blacklisted", Severity.SEVERITY_WARNING, "machine " + node + " blacklisted for task "
              + task + ": its instances kept failing there", "task", task, "node", node);
        }
      }
    }
    r.gauge("job.blacklisted.nodes", status.getBlacklistedNodesCount());
    for (String node : status.getBlacklistedNodesList()) {
      if (blacklistSeen.add("/" + node)) {
        r.event("job.node.blacklisted", Severity.SEVERITY_WARNING, "machine " + node + " blacklisted for the job:"
            + " several of its tasks kept failing there", "node", node);
      }
    }
    for (AttemptFailure f : view.recentFailures()) {
      if (f.number() > failuresSeen) {
        failuresSeen = f.number();
        r.event("job.instance.failed", Severity.SEVERITY_WARNING, f.task() + "[" + f.instance() + "] attempt "
            + f.attempt() + " failed on " + f.nodeId() + ": " + f.reason(), "task", f.task(),
            "instance", Integer.toString(f.instance()), "attempt", Integer.toString(f.attempt()),
            "node", f.nodeId(), "reason", f.reason());
      }
    }
    if (!endReported && ended(status.getState())) {
      endReported = true;
      end(status, r);
    }
    return r.build();
  }

  private static boolean ended(JobState s) {
    return s == JobState.JOB_STATE_SUCCEEDED || s == JobState.JOB_STATE_FAILED || s == JobState.JOB_STATE_KILLED;
  }

  private static void end(JobStatus s, DaemonReport.Builder r) {
    String job = "job " + s.getName() + " (" + s.getJobId() + ")";
    String took = s.getEndedAtMs() > 0 && s.getStartedAtMs() > 0
        ? " after " + (s.getEndedAtMs() - s.getStartedAtMs()) + " ms" : "";
    switch (s.getState()) {
      case JOB_STATE_SUCCEEDED -> r.event("job.finished", Severity.SEVERITY_INFO, job + " succeeded" + took);
      case JOB_STATE_FAILED -> r.event("job.failed", Severity.SEVERITY_ERROR, job + " failed" + took + ": "
          + s.getMessage());
      default -> r.event("job.killed", Severity.SEVERITY_WARNING, job + " killed" + took + ": " + s.getMessage());
    }
  }
}
