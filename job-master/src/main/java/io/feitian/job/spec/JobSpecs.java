package io.feitian.job.spec;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.feitian.proto.job.v1.JobSpec;
import io.feitian.proto.job.v1.TaskSpec;
import java.nio.file.Path;
import java.util.List;

/** The JSON form of a job description (the proto3 JSON mapping of JobSpec, snake_case names). */
public final class JobSpecs {
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames();

  private JobSpecs() {}

  /** Parses JSON; an unknown field or a wrong type is an IllegalArgumentException that names it. */
  public static JobSpec fromJson(String json) {
    JobSpec.Builder b = JobSpec.newBuilder();
    try {
      PARSER.merge(json, b);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      // JsonFormat's messages name the field and the value ("Cannot find field: taks in message ...").
      throw new IllegalArgumentException("the job description is not valid: " + e.getMessage(), e);
    }
    return b.build();
  }

  public static String toJson(JobSpec spec) {
    try {
      return PRINTER.print(spec);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print a job description", e);
    }
  }

  /**
   * Makes the paths of a description file absolute. What the job is made of
   * (input paths, jars, and process arguments that start with "./" or "../")
   * is taken relative to the file's directory, {@code baseDir}; where its
   * results go (output_dir) relative to {@code outputBase}, the submitter's
   * working directory, as any output path on a command line is. Absolute
   * paths and bare commands are kept.
   */
  public static JobSpec resolvePaths(JobSpec spec, Path baseDir, Path outputBase) {
    JobSpec.Builder b = spec.toBuilder();
    if (!spec.getOutputDir().isEmpty()) {
      b.setOutputDir(resolve(outputBase, spec.getOutputDir()));
    }
    for (TaskSpec.Builder t : b.getTasksBuilderList()) {
      if (t.hasInput()) {
        List<String> paths = t.getInput().getPathsList().stream().map(p -> resolve(baseDir, p)).toList();
        t.getInputBuilder().clearPaths().addAllPaths(paths);
      }
      if (t.getProgram().hasThread()) {
        List<String> jars = t.getProgram().getThread().getJarsList().stream().map(p -> resolve(baseDir, p)).toList();
        t.getProgramBuilder().getThreadBuilder().clearJars().addAllJars(jars);
      }
      if (t.getProgram().hasProcess()) {
        List<String> argv = t.getProgram().getProcess().getArgvList().stream()
            .map(a -> a.startsWith("./") || a.startsWith("../") ? resolve(baseDir, a) : a).toList();
        t.getProgramBuilder().getProcessBuilder().clearArgv().addAllArgv(argv);
      }
    }
    return b.build();
  }

  /** The description with every thread-mode task's jars replaced (e.g. by where this installation keeps them). */
  public static JobSpec withThreadJars(JobSpec spec, List<String> jars) {
    JobSpec.Builder b = spec.toBuilder();
    for (TaskSpec.Builder t : b.getTasksBuilderList()) {
      if (t.getProgram().hasThread()) {
        t.getProgramBuilder().getThreadBuilder().clearJars().addAllJars(jars);
      }
    }
    return b.build();
  }

  private static String resolve(Path baseDir, String path) {
    return baseDir.resolve(path).toAbsolutePath().normalize().toString();
  }

  /** How many instances of the task one Task Worker runs at once: its threads in thread mode, else one. */
  public static int slots(TaskSpec task) {
    return task.getProgram().hasThread() ? Math.max(1, task.getProgram().getThread().getThreads()) : 1;
  }

  /** The description as fuxi-master stores it (AppSpec.description). */
  public static JobSpec fromBytes(String field, ByteString bytes) {
    try {
      return JobSpec.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(field + " is not a serialized feitian.job.v1.JobSpec: " + e.getMessage(), e);
    }
  }
}
