package io.feitian.job.worker;

import io.feitian.common.app.UserCode;
import io.feitian.common.pipeline.PipelineLayout;
import io.feitian.job.api.Record;
import io.feitian.job.api.TaskProcessor;
import io.feitian.job.data.PartFetcher;
import io.feitian.job.data.PartUnavailableException;
import io.feitian.proto.job.v1.Assignment;
import io.feitian.proto.job.v1.InstanceResult;
import io.feitian.proto.job.v1.TaskSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Runs one instance attempt from its assignment to its result. Thread-safe: attempts share nothing. */
final class InstanceRunner implements JobWorker.AttemptRunner {
  private final String jobId;
  private final TaskSpec task;
  private final PipelineLayout store;
  private final PartFetcher fetcher;
  private final Path scratchRoot;
  private final UserCode<TaskProcessor> processors;

  /** {@code processors} is null for a process-mode task. */
  InstanceRunner(String jobId, TaskSpec task, PipelineLayout store, PartFetcher fetcher, Path scratchRoot,
      UserCode<TaskProcessor> processors) {
    this.jobId = jobId;
    this.task = task;
    this.store = store;
    this.fetcher = fetcher;
    this.scratchRoot = scratchRoot;
    this.processors = processors;
  }

  @Override
  public InstanceResult run(Assignment a, java.util.function.Consumer<Process> started) {
    AttemptLog log = new AttemptLog();
    InstanceResult.Builder result = InstanceResult.newBuilder().setTask(a.getTask()).setInstance(a.getInstance())
        .setAttempt(a.getAttempt());
    try (Inputs inputs = new Inputs(jobId, a, fetcher);
        AttemptOutput output = AttemptOutput.open(jobId, a, store, from -> sortedKeys(inputs, from))) {
      if (task.getProgram().hasThread()) {
        new ThreadAttempt(jobId, a.getTask(), a.getInstance(), a.getAttempt(), task.getConfigMap(), inputs, output, log)
            .run(processors.create());
      } else {
        Path scratch = scratchRoot.resolve(a.getTask() + "-" + a.getInstance() + "-" + a.getAttempt());
        new ProcessAttempt(task.getProgram().getProcess(), task.getConfigMap(), inputs, output, log, scratch,
            Map.of("FEITIAN_JOB_ID", jobId, "FEITIAN_TASK", a.getTask(),
                "FEITIAN_INSTANCE", Integer.toString(a.getInstance()),
                "FEITIAN_ATTEMPT", Integer.toString(a.getAttempt()))).run(started);
      }
      result.addAllOutputs(output.commit()).setSucceeded(true)
          .setRecordsIn(inputs.recordsRead()).setRecordsOut(output.records());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      result.setSucceeded(false).setMessage("cancelled");
    } catch (Throwable e) {
      result.setSucceeded(false).setMessage(e.toString());
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (c instanceof PartUnavailableException lost) {
          result.setLostInputNode(lost.nodeAddress());
          break;
        }
      }
      StringWriter trace = new StringWriter();
      e.printStackTrace(new PrintWriter(trace));
      log.line(trace.toString());
    }
    return result.setLogTail(log.tail()).build();
  }

  /** The keys of an input, sorted and distinct: the boundaries of a range partitioner. */
  private static List<String> sortedKeys(Inputs inputs, String from) {
    TreeSet<String> keys = new TreeSet<>();
    for (Record r : inputs.of(from)) {
      keys.add(r.key());
    }
    return List.copyOf(keys);
  }
}
