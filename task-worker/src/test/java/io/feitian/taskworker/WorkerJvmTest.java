package io.feitian.taskworker;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.proto.fuxi.v1.ThreadProgram;
import org.junit.jupiter.api.Test;

class WorkerJvmTest {
  @Test
  void theCommandLineCarriesTheHeapFromTheGrant() {
    ThreadProgram p = ThreadProgram.newBuilder().setMainClass("io.example.Main").addJvmOptions("-Xss512k").build();
    assertThat(WorkerJvm.argv(p, 256)).contains("-Xmx128m", "-XX:+ExitOnOutOfMemoryError", "-Xss512k")
        .endsWith("io.example.Main");
  }
}
