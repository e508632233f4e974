package io.feitian.job.spec;

import io.feitian.common.app.FieldChecks;
import io.feitian.proto.job.v1.FaultPolicy;
import io.feitian.proto.job.v1.InputSpec;
import io.feitian.proto.job.v1.JobSpec;
import io.feitian.proto.job.v1.Movement;
import io.feitian.proto.job.v1.Partitioner;
import io.feitian.proto.job.v1.PipelineSpec;
import io.feitian.proto.job.v1.ProgramSpec;
import io.feitian.proto.job.v1.TaskSpec;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a job description completely before anything runs. Every error is
 * an IllegalArgumentException whose message starts with the offending field
 * (under a prefix such as "spec.description."), so the submitter knows what
 * to fix. Structure only: whether files exist is for whoever can see them
 * (the job client checks paths on the submitting machine).
 */
public final class JobSpecValidator {
  static final Pattern JOB_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  static final Pattern TASK_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
  static final Pattern CONFIG_KEY = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  static final Pattern CLASS_NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");
  public static final int MAX_INSTANCES = 100_000;
  public static final int MAX_PARTITIONS = 10_000;
  public static final int MAX_ATTEMPTS = 100;
  public static final int MAX_THREADS = 256;

  private final String prefix;
  private final FieldChecks checks;

  /** {@code prefix} is put before every field name in messages, e.g. "spec.description.". */
  public JobSpecValidator(String prefix) {
    this.prefix = prefix;
    this.checks = new FieldChecks(prefix);
  }

  private IllegalArgumentException bad(String field, String problem) {
    return checks.bad(field, problem);
  }

  /** Checks the description; returns its graph. */
  public JobGraph validate(JobSpec spec) {
    checks.matches("name", spec.getName(), JOB_NAME);
    if (spec.getPriority() < 0) {
      throw bad("priority", "must be >= 0, got " + spec.getPriority());
    }
    if (!spec.getQuotaGroup().isEmpty()) {
      checks.matches("quota_group", spec.getQuotaGroup(), JOB_NAME);
    }
    if (!spec.getOutputDir().startsWith("/")) {
      throw bad("output_dir", "must be an absolute path, got '" + spec.getOutputDir() + "'");
    }
    if (spec.getTasksCount() == 0) {
      throw bad("tasks", "must list at least one task");
    }
    checkFaults(spec.getFaults());
    Map<String, Integer> taskIndex = new HashMap<>();
    for (int i = 0; i < spec.getTasksCount(); i++) {
      TaskSpec t = spec.getTasks(i);
      String f = "tasks[" + i + "]";
      checks.matches(f + ".name", t.getName(), TASK_NAME);
      if (taskIndex.putIfAbsent(t.getName(), i) != null) {
        throw bad(f + ".name", "'" + t.getName() + "' is already the name of tasks[" + taskIndex.get(t.getName()) + "]");
      }
      checkTask(f, t);
    }
    checkPipelines(spec, taskIndex);
    JobGraph graph;
    try {
      graph = new JobGraph(spec);
    } catch (IllegalArgumentException cycle) {
      throw new IllegalArgumentException(prefix + cycle.getMessage(), cycle);
    }
    checkInstanceCounts(spec, graph, taskIndex);
    return graph;
  }

  private void checkFaults(FaultPolicy p) {
    nonNegative("faults.task_machine_failures", p.getTaskMachineFailures());
    nonNegative("faults.job_machine_tasks", p.getJobMachineTasks());
    percent("faults.max_blacklisted_percent", p.getMaxBlacklistedPercent());
    percent("faults.backup_after_done_percent", p.getBackupAfterDonePercent());
    percent("faults.backup_max_percent", p.getBackupMaxPercent());
    if (p.getBackupSlowness() != 0 && !(p.getBackupSlowness() >= 1.0)) {
      throw bad("faults.backup_slowness", "must be at least 1.0 (or 0 for the default), got " + p.getBackupSlowness());
    }
    if (p.getBackupMinRuntimeMs() < 0) {
      throw bad("faults.backup_min_runtime_ms", "must be >= 0, got " + p.getBackupMinRuntimeMs());
    }
  }

  private void nonNegative(String field, int value) {
    if (value < 0) {
      throw bad(field, "must be >= 0, got " + value);
    }
  }

  private void percent(String field, int value) {
    if (value < 0 || value > 100) {
      throw bad(field, "must be a percentage from 0 (default) to 100, got " + value);
    }
  }

  private void checkTask(String f, TaskSpec t) {
    if (t.getInstances() < 0 || t.getInstances() > MAX_INSTANCES) {
      throw bad(f + ".instances", "must be between 0 and " + MAX_INSTANCES + ", got " + t.getInstances());
    }
    checks.workerResources(f + ".resources", t.hasResources(), t.getResources());
    // Every task's worker is a Task Worker JVM (a thread program to Fuxi), in process mode too.
    checks.threadProgramMemory(f + ".resources.memory_mib", t.getResources().getMemoryMib());
    if (t.getMaxAttempts() < 0 || t.getMaxAttempts() > MAX_ATTEMPTS) {
      throw bad(f + ".max_attempts", "must be between 0 (default) and " + MAX_ATTEMPTS + ", got " + t.getMaxAttempts());
    }
    for (String key : t.getConfigMap().keySet()) {
      if (!CONFIG_KEY.matcher(key).matches()) {
        throw bad(f + ".config", "key '" + key + "' must match " + CONFIG_KEY.pattern());
      }
    }
    checkProgram(f + ".program", t.getProgram());
    if (t.hasInput()) {
      checkInput(f + ".input", t.getInput());
      if (t.getInstances() > 0) {
        throw bad(f + ".instances", "must be 0: the task reads input, which makes one instance per split");
      }
    }
  }

  private void checkProgram(String f, ProgramSpec p) {
    switch (p.getModeCase()) {
      case THREAD -> {
        var thread = p.getThread();
        if (thread.getJarsCount() == 0) {
          throw bad(f + ".thread.jars", "must name at least one jar");
        }
        for (int i = 0; i < thread.getJarsCount(); i++) {
          if (!thread.getJars(i).startsWith("/")) {
            throw bad(f + ".thread.jars[" + i + "]", "must be an absolute path, got '" + thread.getJars(i) + "'");
          }
        }
        if (!CLASS_NAME.matcher(thread.getProcessorClass()).matches()) {
          throw bad(f + ".thread.processor_class", "must be a class name, got '" + thread.getProcessorClass() + "'");
        }
        if (thread.getThreads() < 0 || thread.getThreads() > MAX_THREADS) {
          throw bad(f + ".thread.threads", "must be between 0 (default 1) and " + MAX_THREADS + ", got "
              + thread.getThreads());
        }
      }
      case PROCESS -> {
        var process = p.getProcess();
        if (process.getArgvCount() == 0 || process.getArgv(0).isBlank()) {
          throw bad(f + ".process.argv", "must name a program");
        }
        checks.envNames(f + ".process.env", process.getEnvMap().keySet());
      }
      default -> throw bad(f, "must be a thread or a process program");
    }
  }

  private void checkInput(String f, InputSpec input) {
    if (input.getPathsCount() == 0) {
      throw bad(f + ".paths", "must name at least one file or directory");
    }
    for (int i = 0; i < input.getPathsCount(); i++) {
      if (!input.getPaths(i).startsWith("/")) {
        throw bad(f + ".paths[" + i + "]", "must be an absolute path, got '" + input.getPaths(i) + "'");
      }
    }
    if (input.getSplitBytes() < 0) {
      throw bad(f + ".split_bytes", "must be >= 0, got " + input.getSplitBytes());
    }
    for (int i = 0; i < input.getNodesCount(); i++) {
      if (!NODE_NAME.matcher(input.getNodes(i)).matches()) {
        throw bad(f + ".nodes[" + i + "]", "is not a node id: '" + input.getNodes(i) + "'");
      }
    }
  }

  private void checkPipelines(JobSpec spec, Map<String, Integer> taskIndex) {
    Set<String> edges = new HashSet<>();
    for (int i = 0; i < spec.getPipelinesCount(); i++) {
      PipelineSpec p = spec.getPipelines(i);
      String f = "pipelines[" + i + "]";
      if (!taskIndex.containsKey(p.getFrom())) {
        throw bad(f + ".from", "'" + p.getFrom() + "' is not a task of the job");
      }
      if (!taskIndex.containsKey(p.getTo())) {
        throw bad(f + ".to", "'" + p.getTo() + "' is not a task of the job");
      }
      if (p.getFrom().equals(p.getTo())) {
        throw bad(f + ".to", "'" + p.getTo() + "' is also its from: a task cannot feed itself");
      }
      if (!edges.add(p.getFrom() + "\n" + p.getTo())) {
        throw bad(f, "joins " + p.getFrom() + " to " + p.getTo() + " a second time");
      }
      switch (p.getMovement()) {
        case MOVEMENT_SCATTER_GATHER -> {
          if (p.getPartitions() < 1 || p.getPartitions() > MAX_PARTITIONS) {
            throw bad(f + ".partitions", "must be between 1 and " + MAX_PARTITIONS + " for scatter-gather, got "
                + p.getPartitions());
          }
        }
        case MOVEMENT_ONE_TO_ONE, MOVEMENT_BROADCAST -> {
          if (p.getPartitions() != 0) {
            throw bad(f + ".partitions", "applies to scatter-gather only");
          }
          if (p.getPartitioner() != Partitioner.PARTITIONER_UNSPECIFIED) {
            throw bad(f + ".partitioner", "applies to scatter-gather only");
          }
        }
        default -> throw bad(f + ".movement", "must be one_to_one, scatter_gather or broadcast");
      }
      if (p.getPartitioner() == Partitioner.PARTITIONER_RANGE) {
        checkRangeSource(spec, f, p);
      } else if (!p.getRangeBoundariesFrom().isEmpty()) {
        throw bad(f + ".range_boundaries_from", "applies to the range partitioner only");
      }
    }
  }

  /** Range boundaries come from a task that broadcasts into the pipeline's upstream task. */
  private void checkRangeSource(JobSpec spec, String f, PipelineSpec p) {
    String source = p.getRangeBoundariesFrom();
    boolean broadcastIn = spec.getPipelinesList().stream().anyMatch(q -> q.getFrom().equals(source)
        && q.getTo().equals(p.getFrom()) && q.getMovement() == Movement.MOVEMENT_BROADCAST);
    if (!broadcastIn) {
      throw bad(f + ".range_boundaries_from", "'" + source + "' must be a task with a broadcast pipeline into '"
          + p.getFrom() + "' (the boundaries are its output)");
    }
  }

  /** Every task's instance count must follow from the description, and pipelines must agree on it. */
  private void checkInstanceCounts(JobSpec spec, JobGraph graph, Map<String, Integer> taskIndex) {
    for (String name : graph.order()) {
      TaskSpec t = graph.task(name);
      String f = "tasks[" + taskIndex.get(name) + "]";
      Integer shaped = null;
      String shapedBy = null;
      for (PipelineSpec p : graph.inputs(name)) {
        if (p.getMovement() == Movement.MOVEMENT_BROADCAST) {
          continue;
        }
        if (t.hasInput()) {
          throw bad(f + ".input", "cannot be combined with the " + movement(p) + " pipeline from '" + p.getFrom()
              + "': both would decide the instances (only broadcast inputs can be added to files)");
        }
        int count = p.getMovement() == Movement.MOVEMENT_SCATTER_GATHER ? p.getPartitions()
            : graph.instances(p.getFrom(), Map.of());
        if (shaped != null && count != 0 && shaped != 0 && count != shaped) {
          throw bad(f, "gets " + shaped + " instances from " + shapedBy + " but " + count + " from the "
              + movement(p) + " pipeline from '" + p.getFrom() + "'");
        }
        if (shaped == null || shaped == 0) {
          shaped = count;
          shapedBy = "the " + movement(p) + " pipeline from '" + p.getFrom() + "'";
        }
      }
      if (shaped != null && shaped != 0 && t.getInstances() > 0 && t.getInstances() != shaped) {
        throw bad(f + ".instances", "is " + t.getInstances() + " but " + shapedBy + " gives " + shaped);
      }
      if (shaped == null && !t.hasInput() && t.getInstances() == 0) {
        throw bad(f + ".instances", "must be set: the task has no input files and no one-to-one or scatter-gather"
            + " pipeline to derive it from");
      }
    }
  }

  private static String movement(PipelineSpec p) {
    return p.getMovement() == Movement.MOVEMENT_SCATTER_GATHER ? "scatter-gather" : "one-to-one";
  }
}
