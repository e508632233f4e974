package io.feitian.job.spec;

import io.feitian.proto.job.v1.JobSpec;
import io.feitian.proto.job.v1.Movement;
import io.feitian.proto.job.v1.PipelineSpec;
import io.feitian.proto.job.v1.TaskSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The DAG of a job whose names are already checked: tasks by name, pipelines
 * in and out of each, a topological order, and how many instances each task
 * has when that follows from the description alone.
 */
public final class JobGraph {
  private final Map<String, TaskSpec> tasks = new LinkedHashMap<>();
  private final Map<String, List<PipelineSpec>> in = new HashMap<>();
  private final Map<String, List<PipelineSpec>> out = new HashMap<>();
  private final List<String> order;

  /** Builds the graph; throws IllegalArgumentException (field "pipelines") if the pipelines form a cycle. */
  public JobGraph(JobSpec spec) {
    for (TaskSpec t : spec.getTasksList()) {
      tasks.put(t.getName(), t);
      in.put(t.getName(), new ArrayList<>());
      out.put(t.getName(), new ArrayList<>());
    }
    for (PipelineSpec p : spec.getPipelinesList()) {
      out.get(p.getFrom()).add(p);
      in.get(p.getTo()).add(p);
    }
    order = topologicalOrder();
  }

  /** Kahn's algorithm, taking ready tasks in description order so the order is stable. */
  private List<String> topologicalOrder() {
    Map<String, Integer> waiting = new HashMap<>();
    Deque<String> ready = new ArrayDeque<>();
    for (String t : tasks.keySet()) {
      waiting.put(t, in.get(t).size());
      if (in.get(t).isEmpty()) {
        ready.add(t);
      }
    }
    List<String> sorted = new ArrayList<>();
    while (!ready.isEmpty()) {
      String t = ready.poll();
      sorted.add(t);
      for (PipelineSpec p : out.get(t)) {
        if (waiting.merge(p.getTo(), -1, Integer::sum) == 0) {
          ready.add(p.getTo());
        }
      }
    }
    if (sorted.size() < tasks.size()) {
      throw new IllegalArgumentException("pipelines form a cycle: " + String.join(" -> ", cycle(waiting)));
    }
    return Collections.unmodifiableList(sorted);
  }

  /** One cycle among the tasks Kahn's algorithm could not order, for the error message. */
  private List<String> cycle(Map<String, Integer> waiting) {
    String start = waiting.entrySet().stream().filter(e -> e.getValue() > 0).findFirst().orElseThrow().getKey();
    List<String> path = new ArrayList<>();
    Map<String, Integer> seenAt = new HashMap<>();
    String t = start;
    while (!seenAt.containsKey(t)) {
      seenAt.put(t, path.size());
      path.add(t);
      // Step to an upstream task that is itself unordered: one exists for every unordered task.
      t = in.get(t).stream().map(PipelineSpec::getFrom).filter(f -> waiting.get(f) > 0).findFirst().orElseThrow();
    }
    List<String> loop = new ArrayList<>(path.subList(seenAt.get(t), path.size()));
    Collections.reverse(loop);
    // Start from the task described first, so the message does not depend on the walk.
    List<String> described = new ArrayList<>(tasks.keySet());
    String first = loop.stream().min(java.util.Comparator.comparingInt(described::indexOf)).orElseThrow();
    Collections.rotate(loop, -loop.indexOf(first));
    loop.add(first);
    return loop;
  }

  public List<String> order() {
    return order;
  }

  public TaskSpec task(String name) {
    return tasks.get(name);
  }

  public List<PipelineSpec> inputs(String task) {
    return in.get(task);
  }

  public List<PipelineSpec> outputs(String task) {
    return out.get(task);
  }

  /** Tasks with no downstream pipeline: they write the job's final output. */
  public boolean isSink(String task) {
    return out.get(task).isEmpty();
  }

  /**
   * How many instances a task has, given the split counts of the tasks that
   * read input: its own count if set, the splits of its input, the partitions
   * of its scatter-gather input, or the count of its one-to-one upstream.
   * Returns 0 if it cannot be known without splits that are not given.
   */
  public int instances(String task, Map<String, Integer> splits) {
    TaskSpec t = tasks.get(task);
    if (t.getInstances() > 0) {
      return t.getInstances();
    }
    if (t.hasInput()) {
      return splits.getOrDefault(task, 0);
    }
    for (PipelineSpec p : in.get(task)) {
      if (p.getMovement() == Movement.MOVEMENT_SCATTER_GATHER) {
        return p.getPartitions();
      }
    }
    for (PipelineSpec p : in.get(task)) {
      if (p.getMovement() == Movement.MOVEMENT_ONE_TO_ONE) {
        return instances(p.getFrom(), splits);
      }
    }
    return 0;
  }
}
