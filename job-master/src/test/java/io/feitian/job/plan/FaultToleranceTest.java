package io.feitian.job.plan;

import static io.feitian.job.plan.JobRunTest.failure;
import static io.feitian.job.plan.JobRunTest.success;
import static io.feitian.job.plan.JobRunTest.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.job.spec.JobSpecValidator;
import io.feitian.proto.job.v1.Assignment;
import io.feitian.proto.job.v1.FaultPolicy;
import io.feitian.proto.job.v1.JobCounts;
import io.feitian.proto.job.v1.JobSpec;
import io.feitian.proto.job.v1.JobState;
import io.feitian.proto.job.v1.TaskCounts;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Blacklists at three levels and backup instances, driven directly. */
class FaultToleranceTest {
  /** Two independent tasks of ten instances each, with the given policy. */
  static JobRun run(FaultPolicy faults) {
    JobSpec spec = JobSpec.newBuilder().setName("j").setOutputDir("/out").setFaults(faults)
        .addTasks(task("a").setInstances(10).setMaxAttempts(10))
        .addTasks(task("b").setInstances(10).setMaxAttempts(10))
        .build();
    JobRun run = new JobRun("app-1", spec, new JobSpecValidator("").validate(spec), Map.of());
    run.startReadyTasks();
    return run;
  }

  @Test
  void anInstanceIsNotRetriedOnTheMachineWhereItFailed() {
    JobRun run = run(FaultPolicy.getDefaultInstance());
    Assignment a0 = run.assign("a", "bad", "w1", 0).orElseThrow();
    run.finished(failure(a0, "exit 1"), "bad", "h:1", 1);
    Assignment next = run.assign("a", "bad", "w1", 2).orElseThrow();
    assertThat(next.getInstance()).as("instance 0 skipped on 'bad'").isEqualTo(1);
    Assignment retry = run.assign("a", "good", "w2", 3).orElseThrow();
    assertThat(retry.getInstance()).isZero();
    assertThat(retry.getAttempt()).isEqualTo(1);
  }

  @Test
  void aMachineIsBlacklistedForATaskThenForTheJob() {
    JobRun run = run(FaultPolicy.getDefaultInstance()); // 3 failures per task, 2 tasks for the job
    run.clusterSize(10);
    for (int i = 0; i < 3; i++) {
      run.finished(failure(run.assign("a", "bad", "w1", i).orElseThrow(), "disk"), "bad", "h:1", i);
    }
    assertThat(run.usable("a", "bad")).isFalse();
    assertThat(run.usable("b", "bad")).isTrue();
    assertThat(run.assign("a", "bad", "w1", 9)).isEmpty();
    assertThat(run.status().getTasks(0).getBlacklistedNodesList()).containsExactly("bad");
    for (int i = 0; i < 3; i++) {
      run.finished(failure(run.assign("b", "bad", "w2", i).orElseThrow(), "disk"), "bad", "h:1", i);
    }
    assertThat(run.jobBlacklist()).containsExactly("bad");
    assertThat(run.drainNewlyBadNodes()).as("to be reported to fuxi-master, once").containsExactly("bad");
    assertThat(run.drainNewlyBadNodes()).isEmpty();
    assertThat(run.status().getBlacklistedNodesList()).containsExactly("bad");
    assertThat(run.state()).isEqualTo(JobState.JOB_STATE_RUNNING);
    // The job still finishes on the other machines.
    for (String task : new String[] {"a", "b"}) {
      Assignment x;
      while ((x = run.assign(task, "good", "w3", 10).orElse(null)) != null) {
        run.finished(success(x), "good", "h:3", 11);
      }
    }
    assertThat(run.state()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);
  }

  @Test
  void aJobThatWouldBlacklistTooMuchOfTheClusterFailsClearly() {
    JobRun run = run(FaultPolicy.newBuilder().setTaskMachineFailures(1).setMaxBlacklistedPercent(50).build());
    run.clusterSize(3);
    run.finished(failure(run.assign("a", "n1", "w1", 0).orElseThrow(), "x"), "n1", "h:1", 0);
    assertThat(run.state()).isEqualTo(JobState.JOB_STATE_RUNNING); // 1 of 3 is within 50%
    run.finished(failure(run.assign("a", "n2", "w2", 0).orElseThrow(), "x"), "n2", "h:2", 0);
    assertThat(run.state()).isEqualTo(JobState.JOB_STATE_FAILED);
    assertThat(run.status().getMessage()).contains("would blacklist 2 of the cluster's 3 machines")
        .contains("n1, n2").contains("50%");
  }

  @Test
  void anInstanceThatFailedOnEveryMachineItMayUseFailsTheJob() {
    JobRun run = run(FaultPolicy.newBuilder().setTaskMachineFailures(100).build());
    run.clusterSize(2);
    run.finished(failure(run.assign("a", "n1", "w1", 0).orElseThrow(), "x"), "n1", "h:1", 0);
    Assignment again = run.assign("a", "n2", "w2", 0).orElseThrow();
    assertThat(again.getInstance()).isZero();
    run.finished(failure(again, "y"), "n2", "h:2", 0);
    assertThat(run.state()).isEqualTo(JobState.JOB_STATE_FAILED);
    assertThat(run.status().getMessage()).contains("on every machine it may still use");
  }

  @Test
  void aRestartedMasterAdoptsAttemptsStillRunningInsteadOfStartingThemAgain() {
    JobRun run = run(FaultPolicy.getDefaultInstance());
    run.startAttemptsAt(1_000); // the second master's range; its predecessor used 0..999
    // What the predecessor recorded: it started 5 attempts of "a", one of which failed.
    run.carryOver(JobCounts.newBuilder().putTasks("a", TaskCounts.newBuilder().setAttempts(5).setFailedAttempts(1)
        .build()).putTasks("gone", TaskCounts.newBuilder().setAttempts(7).build()).build());
    assertThat(run.adopt("a", 3, 0, "w1", "n1", 0)).isTrue();
    assertThat(run.adopt("a", 3, 0, "w1", "n1", 0)).as("the same attempt twice").isFalse();
    assertThat(run.adopt("a", 4, 2, "w1", "n1", 0)).isTrue();
    // Nothing adopted is handed out again.
    List<Integer> assigned = new java.util.ArrayList<>();
    for (Optional<Assignment> a = run.assign("a", "n2", "w2", 1); a.isPresent(); a = run.assign("a", "n2", "w2", 1)) {
      assigned.add(a.get().getInstance());
      assertThat(a.get().getAttempt()).isGreaterThanOrEqualTo(1_000);
    }
    assertThat(assigned).hasSize(8).doesNotContain(3, 4);
    // The adopted attempt's result counts like any other.
    run.finished(JobRunTest.success(Assignment.newBuilder().setTask("a").setInstance(3).setAttempt(0).build()),
        "n1", "h:1", 2);
    assertThat(run.commitOf("a", 3).getAttempt()).isZero();
    assertThat(run.adopt("a", 3, 5, "w3", "n3", 3)).as("an attempt of a committed instance").isFalse();
    assertThat(run.status().getTasks(0).getAdopted()).isEqualTo(2);
    assertThat(run.status().getTasks(0).getAttemptsHere()).as("started by this master").isEqualTo(8);
    assertThat(run.status().getTasks(0).getAttempts()).as("every master's, adopted ones counted once")
        .isEqualTo(13);
    assertThat(run.status().getTasks(0).getFailedAttempts()).isEqualTo(1);
    assertThat(run.counts().getTasksMap()).as("what a successor carries over")
        .doesNotContainKey("gone").containsEntry("a", TaskCounts.newBuilder().setAttempts(13).setFailedAttempts(1).build());
    assertThatThrownBy(() -> run.adopt("a", 10, 0, "w1", "n1", 0)).hasMessageContaining("instance 10");
  }

  @Test
  void attemptsAPredecessorStartedAfterItsLastRecordStillCount() {
    JobRun run = run(FaultPolicy.getDefaultInstance());
    run.startAttemptsAt(1_000);
    // The predecessor recorded 1 attempt, then started 2 more and died before recording again.
    run.carryOver(JobCounts.newBuilder().putTasks("a", TaskCounts.newBuilder().setAttempts(1).build()).build());
    assertThat(run.adopt("a", 0, 0, "w1", "n1", 0)).isTrue();
    assertThat(run.adopt("a", 1, 0, "w1", "n1", 0)).isTrue();
    assertThat(run.adopt("a", 2, 0, "w1", "n1", 0)).isTrue();
    run.assign("a", "n2", "w2", 1).orElseThrow();
    assertThat(run.status().getTasks(0).getAttempts()).as("three adopted, one started here").isEqualTo(4);
    assertThat(run.counts().getTasksOrThrow("a").getAttempts()).isEqualTo(4);
  }

  /** Runs instances 0..n-1 of task "a", each on node "n<i>", finishing all but the last ones. */
  static JobRun mostlyDone(FaultPolicy faults, int finish, long runtime) {
    JobRun run = run(faults);
    for (int i = 0; i < 10; i++) {
      run.assign("a", "n" + i, "w" + i, 0).orElseThrow();
    }
    for (int i = 0; i < finish; i++) {
      run.finished(success(Assignment.newBuilder().setTask("a").setInstance(i).setAttempt(0).build()), "n" + i,
          "h" + i + ":1", runtime);
    }
    return run;
  }

  @Test
  void aStragglerGetsABackupOnAnotherMachineAndTheFirstToCommitWins() {
    JobRun run = mostlyDone(FaultPolicy.getDefaultInstance(), 9, 1_000);
    assertThat(run.findStragglers(4_000)).as("within 5 s nothing is a straggler").isEmpty();
    assertThat(run.findStragglers(6_000)).containsExactly("a");
    assertThat(run.task("a").pending()).isEqualTo(1);
    assertThat(run.assign("a", "n9", "w9b", 6_000)).as("not on the straggler's own machine").isEmpty();
    Assignment backup = run.assign("a", "n0", "w0", 6_000).orElseThrow();
    assertThat(backup.getInstance()).isEqualTo(9);
    assertThat(backup.getAttempt()).isEqualTo(1);
    assertThat(run.finished(success(backup), "n0", "h0:1", 7_000)).isEqualTo(JobRun.Change.TASK_SUCCEEDED);
    assertThat(run.drainCancellations()).containsExactly(new JobRun.Cancellation("w9", "a", 9, 0));
    // The straggler's late commit is a duplicate: its output is not used.
    assertThat(run.finished(success(Assignment.newBuilder().setTask("a").setInstance(9).setAttempt(0).build()),
        "n9", "h9:1", 8_000)).isEqualTo(JobRun.Change.DUPLICATE);
    assertThat(run.status().getTasks(0).getBackups()).isEqualTo(1);
  }

  @Test
  void backupsWaitForEnoughFinishedInstancesAndStayWithinTheirBudget() {
    JobRun early = mostlyDone(FaultPolicy.getDefaultInstance(), 4, 1_000);
    assertThat(early.findStragglers(60_000)).as("fewer than half done").isEmpty();

    JobRun many = mostlyDone(FaultPolicy.newBuilder().setBackupMaxPercent(10).build(), 5, 1_000);
    assertThat(many.findStragglers(60_000)).containsExactly("a");
    assertThat(many.task("a").pending()).as("10% of 5 running, at least one").isEqualTo(1);
    assertThat(many.findStragglers(61_000)).as("no room for more").isEmpty();

    JobRun off = mostlyDone(FaultPolicy.newBuilder().setNoBackups(true).build(), 9, 1_000);
    assertThat(off.findStragglers(60_000)).isEmpty();
  }
}
