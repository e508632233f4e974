package io.feitian.job.spec;

import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.job.v1.InputSpec;
import io.feitian.proto.job.v1.JobSpec;
import io.feitian.proto.job.v1.Movement;
import io.feitian.proto.job.v1.PipelineSpec;
import io.feitian.proto.job.v1.ProcessMode;
import io.feitian.proto.job.v1.ProgramSpec;
import io.feitian.proto.job.v1.TaskSpec;
import io.feitian.proto.job.v1.ThreadMode;

/** Valid job descriptions that tests bend into invalid ones. */
final class Specs {
  private Specs() {}

  static Resources shape() {
    return Resources.newBuilder().setCpuMillis(1000).setMemoryMib(512).build();
  }

  static ProgramSpec thread(String cls) {
    return ProgramSpec.newBuilder().setThread(ThreadMode.newBuilder().addJars("/opt/jobs/wc.jar")
        .setProcessorClass(cls)).build();
  }

  static ProgramSpec process(String... argv) {
    return ProgramSpec.newBuilder().setProcess(ProcessMode.newBuilder().addAllArgv(java.util.List.of(argv))).build();
  }

  static TaskSpec.Builder task(String name) {
    return TaskSpec.newBuilder().setName(name).setResources(shape()).setProgram(thread("wc.Map"));
  }

  static PipelineSpec.Builder pipe(String from, String to, Movement m) {
    return PipelineSpec.newBuilder().setFrom(from).setTo(to).setMovement(m);
  }

  /** map (input) -> scatter-gather(4) -> reduce. */
  static JobSpec.Builder wordCount() {
    return JobSpec.newBuilder().setName("wordcount").setOutputDir("/tmp/out")
        .addTasks(task("map").setInput(InputSpec.newBuilder().addPaths("/data/text")))
        .addTasks(task("reduce").setProgram(thread("wc.Reduce")))
        .addPipelines(pipe("map", "reduce", Movement.MOVEMENT_SCATTER_GATHER).setPartitions(4));
  }
}
