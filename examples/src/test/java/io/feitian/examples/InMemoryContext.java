package io.feitian.examples;

import io.feitian.job.api.Record;
import io.feitian.job.api.TaskContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link TaskContext} for tests: instance 0, attempt 0 of task "test",
 * reading lists given up front and recording what the processor emits.
 */
public final class InMemoryContext implements TaskContext {
  private final List<Record> input;
  private final Map<String, List<Record>> upstream = new LinkedHashMap<>();
  private final List<Record> emitted = new ArrayList<>();

  public InMemoryContext(List<Record> input) {
    this.input = List.copyOf(input);
  }

  /** A context whose main input is lines of an input file: records with an empty key, as the job-master reads them. */
  public static InMemoryContext ofLines(String... lines) {
    List<Record> records = new ArrayList<>();
    for (String line : lines) {
      records.add(new Record("", line));
    }
    return new InMemoryContext(records);
  }

  /** Adds what this instance reads from an upstream task through a pipeline. */
  public InMemoryContext withUpstream(String task, List<Record> records) {
    upstream.put(task, List.copyOf(records));
    return this;
  }

  public List<Record> emitted() {
    return emitted;
  }

  @Override
  public String jobId() {
    return "test-job";
  }

  @Override
  public String task() {
    return "test";
  }

  @Override
  public int instance() {
    return 0;
  }

  @Override
  public int attempt() {
    return 0;
  }

  @Override
  public Map<String, String> config() {
    return Map.of();
  }

  @Override
  public Iterable<Record> input() {
    return input;
  }

  @Override
  public Set<String> upstreamTasks() {
    return upstream.keySet();
  }

  @Override
  public Iterable<Record> input(String upstreamTask) {
    List<Record> records = upstream.get(upstreamTask);
    if (records == null) {
      throw new IllegalArgumentException("no pipeline from task '" + upstreamTask + "'");
    }
    return records;
  }

  @Override
  public void emit(Record record) {
    emitted.add(record);
  }

  @Override
  public void log(String line) {
    // The processors log nothing the tests check.
  }
}
