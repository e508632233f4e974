package io.feitian.job.plan;

import io.feitian.proto.job.v1.FaultPolicy;

/** A job's fault policy with the defaults filled in (docs/JOBS.md, "Fault tolerance"). */
public record FaultRules(int taskMachineFailures, int jobMachineTasks, int maxBlacklistedPercent, boolean backups,
    int backupAfterDonePercent, double backupSlowness, long backupMinRuntimeMs, int backupMaxPercent) {

  public static FaultRules of(FaultPolicy p) {
    return new FaultRules(
        p.getTaskMachineFailures() == 0 ? 3 : p.getTaskMachineFailures(),
        p.getJobMachineTasks() == 0 ? 2 : p.getJobMachineTasks(),
        p.getMaxBlacklistedPercent() == 0 ? 50 : p.getMaxBlacklistedPercent(),
        !p.getNoBackups(),
        p.getBackupAfterDonePercent() == 0 ? 50 : p.getBackupAfterDonePercent(),
        p.getBackupSlowness() == 0 ? 2.0 : p.getBackupSlowness(),
        p.getBackupMinRuntimeMs() == 0 ? 5000 : p.getBackupMinRuntimeMs(),
        p.getBackupMaxPercent() == 0 ? 10 : p.getBackupMaxPercent());
  }

  /** Backups a task may run at once, given its running instances: a share of them, at least one. */
  int backupsAllowed(int runningInstances) {
    return Math.max(1, runningInstances * backupMaxPercent / 100);
  }
}
