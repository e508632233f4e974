package io.feitian.job.spec;

import static io.feitian.job.spec.Specs.pipe;
import static io.feitian.job.spec.Specs.task;
import static io.feitian.job.spec.Specs.wordCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.common.app.ThreadProgramMemory;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.job.v1.InputSpec;
import io.feitian.proto.job.v1.JobSpec;
import io.feitian.proto.job.v1.Movement;
import io.feitian.proto.job.v1.Partitioner;
import io.feitian.proto.job.v1.ProcessMode;
import io.feitian.proto.job.v1.ProgramSpec;
import org.junit.jupiter.api.Test;

/** One test per kind of bad description: the error names the field and says what is wrong. */
class JobSpecValidatorTest {
  private final JobSpecValidator validator = new JobSpecValidator("spec.description.");

  private void refused(JobSpec.Builder spec, String field, String problem) {
    assertThatThrownBy(() -> validator.validate(spec.build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("spec.description." + field)
        .hasMessageContaining(problem);
  }

  @Test
  void theExamplesAreValid() {
    JobGraph g = validator.validate(wordCount().build());
    assertThat(g.order()).containsExactly("map", "reduce");
    assertThat(g.instances("reduce", java.util.Map.of())).isEqualTo(4);
  }

  @Test
  void aCycleIsNamedTaskByTask() {
    JobSpec.Builder spec = wordCount().addTasks(task("extra").setInstances(2))
        .addPipelines(pipe("reduce", "extra", Movement.MOVEMENT_BROADCAST))
        .addPipelines(pipe("extra", "reduce", Movement.MOVEMENT_BROADCAST));
    refused(spec, "pipelines form a cycle", "reduce -> extra -> reduce");
  }

  @Test
  void unknownTasksInPipelines() {
    refused(wordCount().addPipelines(pipe("map", "sum", Movement.MOVEMENT_BROADCAST)), "pipelines[1].to",
        "'sum' is not a task of the job");
    refused(wordCount().addPipelines(pipe("mapper", "reduce", Movement.MOVEMENT_BROADCAST)), "pipelines[1].from",
        "'mapper' is not a task of the job");
    refused(wordCount().addPipelines(pipe("map", "map", Movement.MOVEMENT_BROADCAST)), "pipelines[1].to",
        "cannot feed itself");
    refused(wordCount().addPipelines(pipe("map", "reduce", Movement.MOVEMENT_BROADCAST)), "pipelines[1]",
        "a second time");
  }

  @Test
  void missingPrograms() {
    JobSpec.Builder noProgram = wordCount();
    noProgram.getTasksBuilder(1).clearProgram();
    refused(noProgram, "tasks[1].program", "must be a thread or a process program");
    JobSpec.Builder noArgv = wordCount();
    noArgv.getTasksBuilder(1).setProgram(Specs.process());
    refused(noArgv, "tasks[1].program.process.argv", "must name a program");
    JobSpec.Builder noJar = wordCount();
    noJar.getTasksBuilder(0).setProgram(ProgramSpec.newBuilder().setThread(
        io.feitian.proto.job.v1.ThreadMode.newBuilder().setProcessorClass("wc.Map")));
    refused(noJar, "tasks[0].program.thread.jars", "at least one jar");
    JobSpec.Builder badClass = wordCount();
    badClass.getTasksBuilder(0).setProgram(Specs.thread("wc Map"));
    refused(badClass, "tasks[0].program.thread.processor_class", "must be a class name");
  }

  @Test
  void missingOrBadInputs() {
    JobSpec.Builder noPaths = wordCount();
    noPaths.getTasksBuilder(0).setInput(InputSpec.newBuilder());
    refused(noPaths, "tasks[0].input.paths", "at least one file or directory");
    JobSpec.Builder relative = wordCount();
    relative.getTasksBuilder(0).setInput(InputSpec.newBuilder().addPaths("data/text"));
    refused(relative, "tasks[0].input.paths[0]", "must be an absolute path");
    JobSpec.Builder noInstances = wordCount();
    noInstances.getTasksBuilder(0).clearInput();
    refused(noInstances, "tasks[0].instances", "must be set");
    JobSpec.Builder both = wordCount();
    both.getTasksBuilder(0).setInstances(3);
    refused(both, "tasks[0].instances", "must be 0: the task reads input");
    JobSpec.Builder filesAndShuffle = wordCount();
    filesAndShuffle.getTasksBuilder(1).setInput(InputSpec.newBuilder().addPaths("/data/more"));
    refused(filesAndShuffle, "tasks[1].input", "cannot be combined with the scatter-gather pipeline from 'map'");
  }

  @Test
  void impossibleResourceShapes() {
    JobSpec.Builder negative = wordCount();
    negative.getTasksBuilder(0).setResources(Resources.newBuilder().setCpuMillis(-1).setMemoryMib(10));
    refused(negative, "tasks[0].resources.cpu_millis", "");
    JobSpec.Builder noMemory = wordCount();
    noMemory.getTasksBuilder(1).setResources(Resources.newBuilder().setCpuMillis(1000));
    refused(noMemory, "tasks[1].resources", "must ask for some CPU and memory");
    JobSpec.Builder none = wordCount();
    none.getTasksBuilder(1).clearResources();
    refused(none, "tasks[1].resources", "is required");
  }

  /** Every task's worker is a JVM (process mode too): a grant too small for one is refused at submission. */
  @Test
  void aTaskWithTooLittleMemoryForItsWorkerJvmIsRefusedNamingTheMinimum() {
    JobSpec.Builder small = wordCount();
    small.getTasksBuilder(1).setResources(Resources.newBuilder().setCpuMillis(1000).setMemoryMib(100));
    assertThatThrownBy(() -> validator.validate(small.build())).hasMessage("spec.description.tasks[1].resources"
        + ".memory_mib is 100 MiB, too little for the worker JVM a thread program runs in (at least 144 MiB: a heap"
        + " of 16 MiB and 128 MiB for the JVM's own memory)");
    JobSpec.Builder process = wordCount();
    process.getTasksBuilder(0).setProgram(ProgramSpec.newBuilder().setProcess(ProcessMode.newBuilder().addArgv("cat")))
        .setResources(Resources.newBuilder().setCpuMillis(1000).setMemoryMib(ThreadProgramMemory.MIN_GRANT_MIB - 1));
    refused(process, "tasks[0].resources.memory_mib", "at least 144 MiB");
    JobSpec.Builder enough = wordCount();
    enough.getTasksBuilder(1).setResources(Resources.newBuilder().setCpuMillis(1000)
        .setMemoryMib(ThreadProgramMemory.MIN_GRANT_MIB));
    validator.validate(enough.build());
  }

  @Test
  void badPartitionCounts() {
    JobSpec.Builder zero = wordCount();
    zero.getPipelinesBuilder(0).setPartitions(0);
    refused(zero, "pipelines[0].partitions", "between 1 and 10000");
    JobSpec.Builder tooMany = wordCount();
    tooMany.getPipelinesBuilder(0).setPartitions(10_001);
    refused(tooMany, "pipelines[0].partitions", "between 1 and 10000");
    JobSpec.Builder onBroadcast = wordCount().addTasks(task("report").setInstances(1))
        .addPipelines(pipe("reduce", "report", Movement.MOVEMENT_BROADCAST).setPartitions(3));
    refused(onBroadcast, "pipelines[1].partitions", "scatter-gather only");
    JobSpec.Builder disagree = wordCount();
    disagree.getTasksBuilder(1).setInstances(5);
    refused(disagree, "tasks[1].instances", "is 5 but the scatter-gather pipeline from 'map' gives 4");
    JobSpec.Builder noMovement = wordCount();
    noMovement.getPipelinesBuilder(0).clearMovement();
    refused(noMovement, "pipelines[0].movement", "must be one_to_one, scatter_gather or broadcast");
  }

  @Test
  void rangePartitioningNeedsItsBoundariesBroadcastUpstream() {
    JobSpec.Builder noSource = wordCount();
    noSource.getPipelinesBuilder(0).setPartitioner(Partitioner.PARTITIONER_RANGE).setRangeBoundariesFrom("sample");
    refused(noSource, "pipelines[0].range_boundaries_from", "'sample' must be a task with a broadcast pipeline into 'map'");
    JobSpec.Builder ok = wordCount().addTasks(task("sample").setInstances(1))
        .addPipelines(pipe("sample", "map", Movement.MOVEMENT_BROADCAST));
    ok.getPipelinesBuilder(0).setPartitioner(Partitioner.PARTITIONER_RANGE).setRangeBoundariesFrom("sample");
    assertThat(validator.validate(ok.build()).order()).containsExactly("sample", "map", "reduce");
  }

  @Test
  void badNamesAndDuplicates() {
    refused(wordCount().setName("word count"), "name", "must match");
    refused(wordCount().setOutputDir("out"), "output_dir", "absolute");
    refused(wordCount().addTasks(task("map").setInstances(1)), "tasks[2].name", "already the name of tasks[0]");
    refused(wordCount().addTasks(task("a/b").setInstances(1)), "tasks[2].name", "must match");
    refused(JobSpec.newBuilder().setName("x").setOutputDir("/o"), "tasks", "at least one task");
    JobSpec.Builder env = wordCount();
    env.getTasksBuilder(1).setProgram(ProgramSpec.newBuilder().setProcess(
        ProcessMode.newBuilder().addArgv("sort").putEnv("FEITIAN_APP_ID", "x")));
    refused(env, "tasks[1].program.process.env", "FEITIAN_* is reserved");
  }

  @Test
  void badFaultPolicies() {
    refused(wordCount().setFaults(io.feitian.proto.job.v1.FaultPolicy.newBuilder().setMaxBlacklistedPercent(101)),
        "faults.max_blacklisted_percent", "percentage");
    refused(wordCount().setFaults(io.feitian.proto.job.v1.FaultPolicy.newBuilder().setBackupSlowness(0.5)),
        "faults.backup_slowness", "at least 1.0");
    refused(wordCount().setFaults(io.feitian.proto.job.v1.FaultPolicy.newBuilder().setTaskMachineFailures(-1)),
        "faults.task_machine_failures", ">= 0");
  }

  @Test
  void oneToOneCountsMustAgree() {
    JobSpec.Builder spec = JobSpec.newBuilder().setName("j").setOutputDir("/o")
        .addTasks(task("a").setInstances(3)).addTasks(task("b").setInstances(4))
        .addPipelines(pipe("a", "b", Movement.MOVEMENT_ONE_TO_ONE));
    refused(spec, "tasks[1].instances", "is 4 but the one-to-one pipeline from 'a' gives 3");
    JobSpec.Builder derived = JobSpec.newBuilder().setName("j").setOutputDir("/o")
        .addTasks(task("a").setInstances(3)).addTasks(task("b"))
        .addPipelines(pipe("a", "b", Movement.MOVEMENT_ONE_TO_ONE));
    assertThat(validator.validate(derived.build()).instances("b", java.util.Map.of())).isEqualTo(3);
  }
}
