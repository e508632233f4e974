package io.feitian.job.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.job.spec.JobSpecValidator;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.job.v1.Assignment;
import io.feitian.proto.job.v1.FileSplit;
import io.feitian.proto.job.v1.InputSpec;
import io.feitian.proto.job.v1.InstanceResult;
import io.feitian.proto.job.v1.JobSpec;
import io.feitian.proto.job.v1.JobState;
import io.feitian.proto.job.v1.Movement;
import io.feitian.proto.job.v1.OutputFile;
import io.feitian.proto.job.v1.OutputPart;
import io.feitian.proto.job.v1.PipelineSpec;
import io.feitian.proto.job.v1.ProcessMode;
import io.feitian.proto.job.v1.ProgramSpec;
import io.feitian.proto.job.v1.TaskSpec;
import io.feitian.proto.job.v1.TaskState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobRunTest {
  static TaskSpec.Builder task(String name) {
    return TaskSpec.newBuilder().setName(name)
        .setResources(Resources.newBuilder().setCpuMillis(1000).setMemoryMib(512))
        .setProgram(ProgramSpec.newBuilder().setProcess(ProcessMode.newBuilder().addArgv("cat")));
  }

  static PipelineSpec.Builder pipe(String from, String to, Movement m) {
    return PipelineSpec.newBuilder().setFrom(from).setTo(to).setMovement(m);
  }

  /** map (3 splits) -SG(2)-> reduce; map -broadcast-> audit (1); reduce -1:1-> format. */
  static JobRun run() {
    JobSpec spec = JobSpec.newBuilder().setName("j").setOutputDir("/out")
        .addTasks(task("map").setInput(InputSpec.newBuilder().addPaths("/in")))
        .addTasks(task("reduce"))
        .addTasks(task("audit").setInstances(1))
        .addTasks(task("format"))
        .addPipelines(pipe("map", "reduce", Movement.MOVEMENT_SCATTER_GATHER).setPartitions(2))
        .addPipelines(pipe("map", "audit", Movement.MOVEMENT_BROADCAST))
        .addPipelines(pipe("reduce", "format", Movement.MOVEMENT_ONE_TO_ONE))
        .build();
    List<FileSplit> splits = Splits.of(List.of(new Splits.InputFile("/in/a", 250), new Splits.InputFile("/in/b", 10)), 200);
    return new JobRun("app-1", spec, new JobSpecValidator("").validate(spec), Map.of("map", splits));
  }

  /** A successful result with one file per downstream task and partition of the assignment. */
  static InstanceResult success(Assignment a) {
    InstanceResult.Builder r = InstanceResult.newBuilder().setTask(a.getTask()).setInstance(a.getInstance())
        .setAttempt(a.getAttempt()).setSucceeded(true).setRecordsIn(10).setRecordsOut(5);
    a.getOutputsList().forEach(o -> {
      for (int p = 0; p < o.getPartitions(); p++) {
        r.addOutputs(OutputFile.newBuilder().setToTask(o.getToTask()).setPartition(p)
            .setLength(100 * a.getInstance() + p).setCrc32C(7 * a.getInstance() + p));
      }
    });
    return r.build();
  }

  static InstanceResult failure(Assignment a, String why) {
    return InstanceResult.newBuilder().setTask(a.getTask()).setInstance(a.getInstance()).setAttempt(a.getAttempt())
        .setSucceeded(false).setMessage(why).setLogTail("boom at line 3").build();
  }

  @Test
  void tasksStartWhenTheirUpstreamTasksHaveSucceeded() {
    JobRun run = run();
    assertThat(run.startReadyTasks()).containsExactly("map");
    assertThat(run.task("map").instances()).isEqualTo(3);
    assertThat(run.assign("reduce", "n1", "w1", 0)).isEmpty();
    for (int i = 0; i < 3; i++) {
      Assignment a = run.assign("map", "n" + i, "w" + i, 0).orElseThrow();
      assertThat(a.getSplit().getPath()).isEqualTo(i < 2 ? "/in/a" : "/in/b");
      assertThat(a.getOutputsList()).extracting(o -> o.getToTask() + "/" + o.getPartitions())
          .containsExactly("reduce/2", "audit/1");
      assertThat(run.finished(success(a), "n" + i, "10.0.0." + i + ":7200", 0))
          .isEqualTo(i < 2 ? JobRun.Change.NONE : JobRun.Change.TASK_SUCCEEDED);
    }
    assertThat(run.startReadyTasks()).containsExactly("reduce", "audit");
    assertThat(run.task("format").state()).isEqualTo(TaskState.TASK_STATE_WAITING);
  }

  @Test
  void aDownstreamInstanceReadsItsPartitionOfEveryUpstreamInstanceFromWhereItWasCommitted() {
    JobRun run = run();
    run.startReadyTasks();
    for (int i = 0; i < 3; i++) {
      Assignment a = run.assign("map", "n" + i, "w" + i, 0).orElseThrow();
      run.finished(success(a), "n" + i, "host" + i + ":1", 0);
    }
    run.startReadyTasks();
    Assignment reduce1 = run.assign("reduce", "n0", "w9", 0).orElseThrow();
    assertThat(reduce1.getInstance()).isZero();
    reduce1 = run.assign("reduce", "n0", "w9", 0).orElseThrow();
    assertThat(reduce1.getInstance()).isEqualTo(1);
    assertThat(reduce1.getInputsList()).hasSize(1);
    List<OutputPart> parts = reduce1.getInputs(0).getPartsList();
    assertThat(parts).extracting(OutputPart::getNodeAddress).containsExactly("host0:1", "host1:1", "host2:1");
    assertThat(parts).allMatch(p -> p.getPartition() == 1 && p.getToTask().equals("reduce"));
    assertThat(parts).extracting(OutputPart::getLength).containsExactly(1L, 101L, 201L);
    Assignment audit = run.assign("audit", "n1", "w8", 0).orElseThrow();
    assertThat(audit.getInputs(0).getPartsList()).extracting(OutputPart::getPartition).containsExactly(0, 0, 0);
    assertThat(audit.getFinalOutput()).isEqualTo("/out/audit/part-00000");
  }

  @Test
  void aFailedAttemptIsRetriedThenFailsTheJobWithItsLog() {
    JobRun run = run();
    run.startReadyTasks();
    Assignment first = run.assign("map", "n1", "w1", 0).orElseThrow();
    assertThat(run.finished(failure(first, "exit 1"), "n1", "h:1", 0)).isEqualTo(JobRun.Change.NONE);
    Assignment again = run.assign("map", "n2", "w2", 0).orElseThrow();
    assertThat(again.getInstance()).isEqualTo(first.getInstance());
    assertThat(again.getAttempt()).isEqualTo(1);
    run.finished(failure(again, "exit 1"), "n2", "h:2", 0);
    Assignment third = run.assign("map", "n3", "w3", 0).orElseThrow();
    assertThat(run.finished(failure(third, "exit 2"), "n3", "h:3", 0)).isEqualTo(JobRun.Change.JOB_ENDED);
    assertThat(run.state()).isEqualTo(JobState.JOB_STATE_FAILED);
    var status = run.status();
    assertThat(status.getMessage()).contains("map[0] failed 3 times").contains("n3").contains("exit 2");
    assertThat(status.getFailure().getText()).isEqualTo("boom at line 3");
    assertThat(status.getTasks(0).getFailed()).isEqualTo(1);
    assertThat(status.getTasks(0).getFailedAttempts()).isEqualTo(3);
    assertThat(run.assign("map", "n1", "w1", 0)).isEmpty();
    assertThat(run.recentFailures()).as("each failed attempt, numbered, for the job's report").containsExactly(
        new JobRun.AttemptFailure(1, "map", 0, 0, "n1", "exit 1"), new JobRun.AttemptFailure(2, "map", 0, 1, "n2",
            "exit 1"), new JobRun.AttemptFailure(3, "map", 0, 2, "n3", "exit 2"));
  }

  @Test
  void aMachineWhereEveryWaitingInstanceFailedIsAvoidedInTheAsks() {
    JobRun run = run();
    run.startReadyTasks();
    Assignment a0 = run.assign("map", "n1", "w1", 0).orElseThrow();
    Assignment a1 = run.assign("map", "n1", "w1", 0).orElseThrow();
    Assignment a2 = run.assign("map", "n2", "w2", 0).orElseThrow();
    run.finished(failure(a0, "killed: over its memory"), "n1", "h:1", 0);
    // Instance 0 waits and failed on n1 only; n1 is no use to it, and no other instance waits.
    assertThat(run.avoidNodes("map")).containsExactly("n1");
    run.finished(failure(a2, "exit 1"), "n2", "h:2", 0);
    // Instance 2 waits too and may still run on n1: n1 is asked for again; n2 is no use to 2 but is to 0.
    assertThat(run.avoidNodes("map")).isEmpty();
    run.finished(failure(a1, "exit 1"), "n1", "h:1", 0);
    assertThat(run.avoidNodes("map")).as("1 and 0 failed on n1; 2 failed on n2").isEmpty();
    Assignment again = run.assign("map", "n2", "w2", 0).orElseThrow();
    assertThat(again.getInstance()).isZero();
    run.finished(failure(again, "exit 1"), "n2", "h:2", 0);
    assertThat(run.avoidNodes("map")).as("0 failed on n1 and n2, 1 on n1, 2 on n2").isEmpty();
  }

  @Test
  void theFirstCommitWinsAndALostWorkersAttemptsRunAgain() {
    JobRun run = run();
    run.startReadyTasks();
    Assignment a = run.assign("map", "n1", "w1", 0).orElseThrow();
    assertThat(run.workerLost("w1", "worker exited")).containsExactly("map");
    assertThat(run.recentFailures()).containsExactly(new JobRun.AttemptFailure(1, "map", a.getInstance(),
        a.getAttempt(), "n1", "worker exited"));
    Assignment retry = run.assign("map", "n2", "w2", 0).orElseThrow();
    assertThat(retry.getInstance()).isEqualTo(a.getInstance());
    assertThat(run.finished(success(retry), "n2", "h:2", 0)).isEqualTo(JobRun.Change.NONE);
    // The lost worker's late report changes nothing.
    assertThat(run.finished(success(a), "n1", "h:1", 0)).isEqualTo(JobRun.Change.DUPLICATE);
    assertThat(run.status().getTasks(0).getDone()).isEqualTo(1);
  }

  @Test
  void attemptsKilledWithTheirNodeRunAgainThereAndCountAsNoFailure() {
    JobRun run = run();
    run.startReadyTasks();
    // More node losses than the instance's attempts (3) and the machine's failures before a blacklist.
    Assignment a = null;
    for (int lost = 0; lost < 5; lost++) {
      a = run.assign("map", "n1", "w" + lost, 0).orElseThrow();
      assertThat(a.getInstance()).isZero();
      assertThat(run.workerLostWithItsNode("w" + lost, "grant revoked: node n1 lost")).containsExactly("map");
      assertThat(run.avoidNodes("map")).as("n1 is no failed machine of the instance").isEmpty();
    }
    assertThat(run.state()).isEqualTo(JobState.JOB_STATE_RUNNING);
    assertThat(run.recentFailures()).isEmpty();
    assertThat(run.status().getTasks(0).getFailedAttempts()).isZero();
    Assignment back = run.assign("map", "n1", "w9", 0).orElseThrow();
    assertThat(back.getInstance()).as("the instance runs again on n1, back").isZero();
    assertThat(back.getAttempt()).isGreaterThan(a.getAttempt());
    assertThat(run.finished(success(back), "n1", "h:1", 0)).isEqualTo(JobRun.Change.NONE);
    assertThat(run.status().getTasks(0).getDone()).isEqualTo(1);
  }

  @Test
  void theJobSucceedsWhenEveryTaskHasAndATaskWithoutInstancesSucceedsAtOnce() {
    JobSpec spec = JobSpec.newBuilder().setName("j").setOutputDir("/out")
        .addTasks(task("map").setInput(InputSpec.newBuilder().addPaths("/in")))
        .addTasks(task("reduce"))
        .addPipelines(pipe("map", "reduce", Movement.MOVEMENT_SCATTER_GATHER).setPartitions(2))
        .build();
    JobRun run = new JobRun("app-2", spec, new JobSpecValidator("").validate(spec), Map.of("map", List.of()));
    assertThat(run.startReadyTasks()).containsExactly("reduce");
    Assignment r0 = run.assign("reduce", "n1", "w1", 0).orElseThrow();
    assertThat(r0.getInputs(0).getPartsList()).isEmpty();
    Assignment r1 = run.assign("reduce", "n1", "w1", 0).orElseThrow();
    run.finished(success(r0), "n1", "h:1", 0);
    assertThat(run.finished(success(r1), "n1", "h:1", 0)).isEqualTo(JobRun.Change.JOB_ENDED);
    assertThat(run.state()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);
    assertThat(run.status().getTasksList()).allMatch(t -> t.getState() == TaskState.TASK_STATE_SUCCEEDED);
  }

  @Test
  void aRestartedMasterRunsOnlyWhatTheSnapshotLacksWithFreshAttemptNumbers() {
    JobRun first = run();
    first.startReadyTasks();
    Assignment a0 = first.assign("map", "n0", "w0", 0).orElseThrow();
    Assignment a1 = first.assign("map", "n1", "w1", 0).orElseThrow();
    first.finished(success(a0), "n0", "h0:1", 5);
    first.assign("map", "n2", "w2", 0).orElseThrow(); // still running when the master dies
    var commit = first.commitOf("map", 0);
    assertThat(commit.getNodeAddress()).isEqualTo("h0:1");
    assertThat(first.commitOf("map", a1.getInstance())).isNull();

    JobRun second = run();
    second.restore("map", 0, commit);
    second.startAttemptsAt(1000);
    assertThat(second.startReadyTasks()).containsExactly("map");
    Assignment next = second.assign("map", "n5", "w5", 0).orElseThrow();
    assertThat(next.getInstance()).isEqualTo(1);
    assertThat(next.getAttempt()).isEqualTo(1000);
    assertThat(second.status().getTasks(0).getRestored()).isEqualTo(1);
    assertThat(second.status().getTasks(0).getDone()).isEqualTo(1);
    second.finished(success(next), "n5", "h5:1", 1);
    Assignment last = second.assign("map", "n5", "w5", 0).orElseThrow();
    assertThat(second.finished(success(last), "n5", "h5:1", 1)).isEqualTo(JobRun.Change.TASK_SUCCEEDED);
    // Downstream reads the restored instance's output where the first master's attempt committed it.
    second.startReadyTasks();
    assertThat(second.assign("reduce", "n1", "w9", 0).orElseThrow().getInputs(0).getParts(0).getNodeAddress())
        .isEqualTo("h0:1");
    // Its data is freed there at the end too, though this master never held a grant on h0.
    assertThat(second.nodesHoldingOutputs()).containsExactlyInAnyOrder("h0:1", "h5:1");
  }

  @Test
  void outputsLostWithTheirNodeAreRegeneratedAndTheirReadersWait() {
    JobRun run = run();
    run.startReadyTasks();
    for (int i = 0; i < 3; i++) {
      Assignment a = run.assign("map", "n" + i, "w" + i, 0).orElseThrow();
      run.finished(success(a), "n" + i, "host" + i + ":1", 1);
    }
    assertThat(run.startReadyTasks()).containsExactly("reduce", "audit");
    Assignment reading = run.assign("reduce", "n0", "w9", 2).orElseThrow();
    // The reader finds host1's part gone: not its fault, and map[1] runs again.
    var lost = InstanceResult.newBuilder().setTask("reduce").setInstance(reading.getInstance())
        .setAttempt(reading.getAttempt()).setSucceeded(false).setMessage("fetch failed")
        .setLostInputNode("host1:1").build();
    assertThat(run.finished(lost, "n0", "host0:1", 3)).isEqualTo(JobRun.Change.NONE);
    assertThat(run.task("map").state()).isEqualTo(TaskState.TASK_STATE_RUNNING);
    assertThat(run.task("reduce").state()).isEqualTo(TaskState.TASK_STATE_WAITING);
    assertThat(run.status().getTasks(1).getFailedAttempts()).as("not counted against the reader").isZero();
    Assignment again = run.assign("map", "n2", "w2", 4).orElseThrow();
    assertThat(again.getInstance()).isEqualTo(1);
    assertThat(run.finished(success(again), "n2", "host2:1", 5)).isEqualTo(JobRun.Change.TASK_SUCCEEDED);
    assertThat(run.startReadyTasks()).contains("reduce");
    Assignment retry = run.assign("reduce", "n0", "w9", 6).orElseThrow();
    assertThat(retry.getInputs(0).getPartsList()).extracting(OutputPart::getNodeAddress)
        .containsExactly("host0:1", "host2:1", "host2:1");
  }

  @Test
  void aLostNodeWhoseOutputsNoTaskStillNeedsChangesNothing() {
    JobRun run = run();
    run.startReadyTasks();
    for (int i = 0; i < 3; i++) {
      run.finished(success(run.assign("map", "n" + i, "w" + i, 0).orElseThrow()), "n" + i, "host" + i + ":1", 1);
    }
    assertThat(run.outputsLost("elsewhere:1")).isEmpty();
    assertThat(run.drainUncommitted()).isEmpty();
    assertThat(run.outputsLost("host0:1")).containsExactly("map");
    // The commit whose outputs died is dropped from the snapshot too, once.
    assertThat(run.drainUncommitted()).containsExactly(new JobRun.InstanceRef("map", 0));
    assertThat(run.drainUncommitted()).isEmpty();
  }

  @Test
  void onlyTheMostRecentFailedAttemptsAreKeptButAllAreNumberedAndCounted() {
    int failures = JobRun.RECENT_FAILURES + 5;
    JobSpec spec = JobSpec.newBuilder().setName("j").setOutputDir("/out").addTasks(task("x").setInstances(failures))
        .build();
    JobRun run = new JobRun("app-1", spec, new JobSpecValidator("").validate(spec), Map.of());
    run.startReadyTasks();
    List<Assignment> running = new java.util.ArrayList<>();
    for (int i = 0; i < failures; i++) {
      running.add(run.assign("x", "n" + i, "w" + i, 0).orElseThrow());
    }
    for (int i = 0; i < failures; i++) {
      // Each on its own machine and the first failure of its instance: nothing blacklisted, nothing ends.
      run.finished(failure(running.get(i), "exit " + i), "n" + i, "h:" + i, 0);
    }
    assertThat(run.recentFailures()).hasSize(JobRun.RECENT_FAILURES);
    assertThat(run.recentFailures().get(0).number()).isEqualTo(6);
    assertThat(run.recentFailures().get(JobRun.RECENT_FAILURES - 1)).isEqualTo(
        new JobRun.AttemptFailure(failures, "x", failures - 1, 0, "n" + (failures - 1), "exit " + (failures - 1)));
    assertThat(run.status().getTasks(0).getFailedAttempts()).isEqualTo(failures);
  }

  @Test
  void killingStopsHandingOutWork() {
    JobRun run = run();
    run.startReadyTasks();
    run.kill("killed by alice");
    assertThat(run.state()).isEqualTo(JobState.JOB_STATE_KILLED);
    assertThat(run.assign("map", "n1", "w1", 0)).isEmpty();
    assertThat(run.status().getMessage()).isEqualTo("killed by alice");
  }

  @Test
  void splitsCoverEveryByteOnce() {
    List<FileSplit> s = Splits.of(List.of(new Splits.InputFile("/a", 500), new Splits.InputFile("/e", 0),
        new Splits.InputFile("/b", 3)), 200);
    assertThat(s).extracting(f -> f.getPath() + ":" + f.getStart() + "+" + f.getLength())
        .containsExactly("/a:0+200", "/a:200+200", "/a:400+100", "/b:0+3");
    assertThat(Splits.of(List.of(new Splits.InputFile("/a", 500)), 0)).hasSize(1);
  }
}
