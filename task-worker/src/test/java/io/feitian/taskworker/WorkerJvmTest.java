package io.feitian.taskworker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.proto.fuxi.v1.ThreadProgram;
import org.junit.jupiter.api.Test;

class WorkerJvmTest {
  @Test
  void theHeapLeavesTheJvmItsOverheadInsideTheGrant() {
    // The jobs' default 256 MiB: 128 MiB of heap (the old three quarters, 192 MiB, was killed at 259 MiB resident).
    assertThat(WorkerJvm.heapMib(256)).isEqualTo(128);
    assertThat(WorkerJvm.heapMib(512)).isEqualTo(384);
    // Large grants keep a tenth for the JVM.
    assertThat(WorkerJvm.heapMib(4096)).isEqualTo(4096 - 409);
    assertThat(WorkerJvm.heapMib(144)).isEqualTo(16);
  }

  @Test
  void aGrantTooSmallForAJvmIsRefusedSayingTheMinimum() {
    assertThatThrownBy(() -> WorkerJvm.heapMib(143)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("143 MiB").hasMessageContaining("at least 144 MiB");
  }

  @Test
  void theCommandLineCarriesTheHeapFromTheGrant() {
    ThreadProgram p = ThreadProgram.newBuilder().setMainClass("io.example.Main").addJvmOptions("-Xss512k").build();
    assertThat(WorkerJvm.argv(p, 256)).contains("-Xmx128m", "-XX:+ExitOnOutOfMemoryError", "-Xss512k")
        .endsWith("io.example.Main");
  }
}
