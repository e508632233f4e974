package io.feitian.job.client;

import io.feitian.proto.job.v1.JobSpec;
import io.feitian.proto.job.v1.PipelineSpec;
import io.feitian.proto.job.v1.TaskSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Checks the paths of a description as the submitting machine sees them:
 * inputs and jars exist, a program given as a path is executable, and the
 * output does not overwrite an earlier job's. (fuxi-master cannot: it runs
 * elsewhere than the nodes that read them.) Errors name the field.
 */
final class LocalPaths {
  private LocalPaths() {}

  static void check(JobSpec spec) {
    Set<String> feedOthers = spec.getPipelinesList().stream().map(PipelineSpec::getFrom).collect(Collectors.toSet());
    for (int i = 0; i < spec.getTasksCount(); i++) {
      TaskSpec t = spec.getTasks(i);
      String f = "tasks[" + i + "]";
      for (int j = 0; j < t.getInput().getPathsCount(); j++) {
        if (!Files.exists(Path.of(t.getInput().getPaths(j)))) {
          throw new IllegalArgumentException(f + ".input.paths[" + j + "] " + t.getInput().getPaths(j) + " does not exist");
        }
      }
      if (t.getProgram().hasThread()) {
        for (int j = 0; j < t.getProgram().getThread().getJarsCount(); j++) {
          String jar = t.getProgram().getThread().getJars(j);
          if (!Files.isReadable(Path.of(jar))) {
            throw new IllegalArgumentException(f + ".program.thread.jars[" + j + "] " + jar + " does not exist");
          }
        }
      }
      if (t.getProgram().hasProcess()) {
        for (int j = 0; j < t.getProgram().getProcess().getArgvCount(); j++) {
          String arg = t.getProgram().getProcess().getArgv(j);
          if (arg.startsWith("/") && (j == 0 ? !Files.isExecutable(Path.of(arg)) : !Files.exists(Path.of(arg)))) {
            throw new IllegalArgumentException(f + ".program.process.argv[" + j + "] " + arg
                + (j == 0 ? " is not an executable file" : " does not exist"));
          }
        }
      }
      if (!feedOthers.contains(t.getName())) { // writes the job's output
        Path out = Path.of(spec.getOutputDir(), t.getName());
        if (holdsFiles(out)) {
          throw new IllegalArgumentException("output_dir: " + out + " already holds output; remove it or choose "
              + "another output_dir");
        }
      }
    }
  }

  private static boolean holdsFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.findAny().isPresent();
    } catch (IOException e) {
      throw new IllegalArgumentException("output_dir: cannot read " + dir + ": " + e.getMessage(), e);
    }
  }
}
