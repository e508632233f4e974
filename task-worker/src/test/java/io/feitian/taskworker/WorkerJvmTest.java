package io.feitian.taskworker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.common.config.ConfigLoader;
import io.feitian.proto.fuxi.v1.ThreadProgram;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerJvmTest {
  @Test
  void theCommandLineCarriesTheHeapFromTheGrant() {
    ThreadProgram p = ThreadProgram.newBuilder().setMainClass("io.example.Main").addJvmOptions("-Xss512k").build();
    assertThat(WorkerJvm.argv(p, 256, List.of())).contains("-Xmx128m", "-XX:+ExitOnOutOfMemoryError", "-Xss512k")
        .endsWith("io.example.Main");
  }

  @Test
  void theNodesOptionsComeBeforeTheProgramsSoThatTheProgramsWin() {
    ThreadProgram p = ThreadProgram.newBuilder().setMainClass("io.example.Main").addJvmOptions("-XX:TieredStopAtLevel=4")
        .build();
    List<String> argv = WorkerJvm.argv(p, 256, List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    assertThat(argv).containsSubsequence("-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-XX:TieredStopAtLevel=4", "-cp", "io.example.Main");
  }

  @Test
  void aNodeOptionSettingTheHeapOrClasspathIsRefusedNamingTheSetting() {
    assertThatThrownBy(() -> TaskWorkerSettings.from(ConfigLoader.load(null,
        Map.of("task-worker.thread-jvm-options", List.of("-XX:+UseSerialGC", "-Xmx2g")))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("task-worker.thread-jvm-options[1] is not allowed: '-Xmx2g'");
    assertThat(TaskWorkerSettings.from(ConfigLoader.load(null, Map.of())).threadJvmOptions()).isEmpty();
    // As --set gives it: one string.
    assertThat(TaskWorkerSettings.from(ConfigLoader.load(null, Map.of("task-worker.thread-jvm-options",
        " -XX:+UseSerialGC  -Xss512k"))).threadJvmOptions()).containsExactly("-XX:+UseSerialGC", "-Xss512k");
  }
}
