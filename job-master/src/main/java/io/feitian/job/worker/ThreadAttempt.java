package io.feitian.job.worker;

import io.feitian.job.api.Record;
import io.feitian.job.api.TaskContext;
import io.feitian.job.api.TaskProcessor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;

/** Runs an attempt in the calling thread with the task's TaskProcessor. */
final class ThreadAttempt implements TaskContext {
  private final String jobId;
  private final String task;
  private final int instance;
  private final int attempt;
  private final Map<String, String> config;
  private final Inputs inputs;
  private final AttemptOutput output;
  private final AttemptLog log;

  ThreadAttempt(String jobId, String task, int instance, int attempt, Map<String, String> config, Inputs inputs,
      AttemptOutput output, AttemptLog log) {
    this.jobId = jobId;
    this.task = task;
    this.instance = instance;
    this.attempt = attempt;
    this.config = Map.copyOf(config);
    this.inputs = inputs;
    this.output = output;
    this.log = log;
  }

  void run(TaskProcessor processor) throws Exception {
    processor.process(this);
  }

  @Override
  public String jobId() {
    return jobId;
  }

  @Override
  public String task() {
    return task;
  }

  @Override
  public int instance() {
    return instance;
  }

  @Override
  public int attempt() {
    return attempt;
  }

  @Override
  public Map<String, String> config() {
    return config;
  }

  @Override
  public Iterable<Record> input() {
    return inputs.main();
  }

  @Override
  public Set<String> upstreamTasks() {
    return inputs.upstreamTasks();
  }

  @Override
  public Iterable<Record> input(String upstreamTask) {
    return inputs.of(upstreamTask);
  }

  @Override
  public void emit(Record record) {
    try {
      output.write(record);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void log(String line) {
    log.line(line);
  }
}
