package io.feitian.common.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ThreadProgramMemoryTest {
  @Test
  void theHeapLeavesTheJvmItsOverheadInsideTheGrant() {
    // The jobs' default 256 MiB: 128 MiB of heap (the old three quarters, 192 MiB, was killed at 259 MiB resident).
    assertThat(ThreadProgramMemory.heapMib(256)).isEqualTo(128);
    assertThat(ThreadProgramMemory.heapMib(512)).isEqualTo(384);
    // Large grants keep a tenth for the JVM.
    assertThat(ThreadProgramMemory.heapMib(4096)).isEqualTo(4096 - 409);
    assertThat(ThreadProgramMemory.heapMib(ThreadProgramMemory.MIN_GRANT_MIB)).isEqualTo(16);
  }

  @Test
  void aGrantTooSmallForAJvmIsRefusedSayingTheMinimum() {
    assertThat(ThreadProgramMemory.MIN_GRANT_MIB).isEqualTo(144);
    assertThatThrownBy(() -> ThreadProgramMemory.heapMib(143)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("143 MiB").hasMessageContaining("at least 144 MiB");
  }

  /** The check at submission refuses exactly the grants the task-worker would refuse when the worker starts. */
  @Test
  void theSubmissionCheckAndTheTaskWorkerAgreeOnTheMinimum() {
    FieldChecks checks = new FieldChecks("spec.description.");
    for (long mib = 1; mib < 2 * ThreadProgramMemory.MIN_GRANT_MIB; mib++) {
      long m = mib;
      boolean starts;
      try {
        ThreadProgramMemory.heapMib(m);
        starts = true;
      } catch (IllegalArgumentException e) {
        starts = false;
      }
      if (starts) {
        assertThatCode(() -> checks.threadProgramMemory("tasks[2].resources.memory_mib", m)).as("%d MiB", m)
            .doesNotThrowAnyException();
      } else {
        assertThatThrownBy(() -> checks.threadProgramMemory("tasks[2].resources.memory_mib", m)).as("%d MiB", m)
            .hasMessageStartingWith("spec.description.tasks[2].resources.memory_mib is " + m + " MiB, too little")
            .hasMessageContaining("at least 144 MiB");
      }
    }
  }
}
