package io.feitian.job.spec;

import static io.feitian.job.spec.Specs.pipe;
import static io.feitian.job.spec.Specs.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.proto.job.v1.InputSpec;
import io.feitian.proto.job.v1.JobSpec;
import io.feitian.proto.job.v1.Movement;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobGraphTest {
  /** stats (input) -> gather -> sum -> broadcast -> scale (input), and stats -> one-to-one -> echo. */
  static JobSpec threeLevels() {
    return JobSpec.newBuilder().setName("share").setOutputDir("/o")
        .addTasks(task("scale").setInput(InputSpec.newBuilder().addPaths("/in")))
        .addTasks(task("sum"))
        .addTasks(task("stats").setInput(InputSpec.newBuilder().addPaths("/in")))
        .addTasks(task("echo"))
        .addPipelines(pipe("stats", "sum", Movement.MOVEMENT_SCATTER_GATHER).setPartitions(1))
        .addPipelines(pipe("sum", "scale", Movement.MOVEMENT_BROADCAST))
        .addPipelines(pipe("stats", "echo", Movement.MOVEMENT_ONE_TO_ONE))
        .build();
  }

  @Test
  void upstreamTasksComeFirstAndTiesKeepTheDescribedOrder() {
    JobGraph g = new JobGraph(threeLevels());
    assertThat(g.order()).containsExactly("stats", "sum", "echo", "scale");
    assertThat(g.isSink("scale")).isTrue();
    assertThat(g.isSink("stats")).isFalse();
    assertThat(g.inputs("scale")).extracting(p -> p.getFrom()).containsExactly("sum");
  }

  @Test
  void instancesFollowSplitsPartitionsAndOneToOneUpstreams() {
    JobGraph g = new JobGraph(threeLevels());
    Map<String, Integer> splits = Map.of("stats", 7, "scale", 5);
    assertThat(g.instances("stats", splits)).isEqualTo(7);
    assertThat(g.instances("sum", splits)).isEqualTo(1);
    assertThat(g.instances("echo", splits)).isEqualTo(7);
    assertThat(g.instances("scale", splits)).isEqualTo(5);
    assertThat(g.instances("echo", Map.of())).isZero();
  }

  @Test
  void aCycleIsReportedFromTheFirstDescribedTask() {
    JobSpec cyclic = JobSpec.newBuilder().setName("c").setOutputDir("/o")
        .addTasks(task("src").setInstances(1)).addTasks(task("b").setInstances(1)).addTasks(task("c").setInstances(1))
        .addPipelines(pipe("src", "b", Movement.MOVEMENT_BROADCAST))
        .addPipelines(pipe("b", "c", Movement.MOVEMENT_BROADCAST))
        .addPipelines(pipe("c", "b", Movement.MOVEMENT_BROADCAST))
        .build();
    assertThatThrownBy(() -> new JobGraph(cyclic)).hasMessage("pipelines form a cycle: b -> c -> b");
  }
}
