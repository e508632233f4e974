package io.feitian.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.job.client.JobClient;
import io.feitian.job.spec.JobSpecs;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.job.v1.InputSpec;
import io.feitian.proto.job.v1.JobSpec;
import io.feitian.proto.job.v1.JobStatus;
import io.feitian.proto.job.v1.Movement;
import io.feitian.proto.job.v1.PipelineSpec;
import io.feitian.proto.job.v1.ProcessMode;
import io.feitian.proto.job.v1.ProgramSpec;
import io.feitian.proto.job.v1.TaskSpec;
import io.feitian.proto.job.v1.ThreadMode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The example jobs of examples/jobs, pointed at a test's directories, and how to run them. */
final class Jobs {
  static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

  private Jobs() {}

  /** Where the examples' classes are (their jar after `package`, their classes directory before). */
  static String examplesJar() {
    try {
      return Path.of(io.feitian.examples.wordcount.Count.class.getProtectionDomain().getCodeSource().getLocation()
          .toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An example description with its relative paths resolved, jars replaced, output moved to {@code out}. */
  static JobSpec example(String name, Path out) throws IOException {
    Path file = EXAMPLES.resolve("jobs").resolve(name + ".json");
    JobSpec spec = JobSpecs.resolvePaths(JobSpecs.fromJson(Files.readString(file)), file.getParent(), out);
    return JobSpecs.withThreadJars(spec, List.of(examplesJar())).toBuilder().setOutputDir(out.toString()).build();
  }

  /** The sort example reading {@code records}, writing to {@code out}. */
  static JobSpec sort(Path records, Path out) throws IOException {
    JobSpec.Builder spec = example("sort", out).toBuilder();
    for (var t : spec.getTasksBuilderList()) {
      if (t.hasInput()) {
        t.getInputBuilder().clearPaths().addPaths(records.toString());
      }
    }
    return spec.build();
  }

  /** Every record of the files in {@code records}, in the order the sort example must give them. */
  static List<String> sorted(Path records) throws IOException {
    List<String> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(records)) {
      for (Path f : files.sorted().toList()) {
        all.addAll(Files.readAllLines(f));
      }
    }
    all.sort(Jobs::byKeyThenValue);
    return all;
  }

  private static int byKeyThenValue(String a, String b) {
    String[] x = a.split("\t", 2);
    String[] y = b.split("\t", 2);
    int c = x[0].compareTo(y[0]);
    return c != 0 ? c : x[1].compareTo(y[1]);
  }

  /** Follows a job to its end, with a deadline. */
  /** One task, "copy", that copies each split of {@code records} through a shell command into the output. */
  static JobSpec.Builder copy(String name, Path records, Path out, String script) {
    return JobSpec.newBuilder().setName(name).setOutputDir(out.toString())
        .addTasks(TaskSpec.newBuilder().setName("copy")
            .setInput(InputSpec.newBuilder().addPaths(records.toString()))
            .setResources(Resources.newBuilder().setCpuMillis(500).setMemoryMib(256))
            .setProgram(ProgramSpec.newBuilder().setProcess(ProcessMode.newBuilder()
                .addArgv("sh").addArgv("-c").addArgv(script))));
  }

  /** Adds "sort": copy's output scatter-gathered on the key into {@code partitions} sorted partitions. */
  static JobSpec.Builder thenSort(JobSpec.Builder copy, int partitions) {
    return copy.addTasks(TaskSpec.newBuilder().setName("sort")
            .setResources(Resources.newBuilder().setCpuMillis(500).setMemoryMib(256))
            .setProgram(ProgramSpec.newBuilder().setThread(ThreadMode.newBuilder()
                .addJars(examplesJar()).setProcessorClass("io.feitian.examples.sort.SortPartition"))))
        .addPipelines(PipelineSpec.newBuilder().setFrom("copy").setTo("sort")
            .setMovement(Movement.MOVEMENT_SCATTER_GATHER).setPartitions(partitions));
  }

  static JobStatus run(JobClient jobs, String jobId, Duration timeout) throws Exception {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return jobs.watch(jobId, s -> { });
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Every line of every part file of a task's output, in part order. */
  static List<String> outputLines(Path out, String task) throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> parts = Files.list(out.resolve(task))) {
      for (Path p : parts.filter(f -> f.getFileName().toString().startsWith("part-")).sorted().toList()) {
        lines.addAll(Files.readAllLines(p));
      }
    }
    return lines;
  }

  static void assertSucceeded(JobStatus s) {
    assertThat(s.getState()).as("%s: %s %s", s.getJobId(), s.getMessage(), s.getFailure().getText())
        .isEqualTo(io.feitian.proto.job.v1.JobState.JOB_STATE_SUCCEEDED);
  }
}
