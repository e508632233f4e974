package io.feitian.shennong.inspector;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CpuTicksTest {
  @Test
  void theBusyFractionIsBusyTicksOverAllTicksBetweenTwoReadings() {
    assertThat(new CpuTicks(100, 1_000).busyFractionUntil(new CpuTicks(130, 1_200)).getAsDouble()).isEqualTo(0.15);
    assertThat(new CpuTicks(0, 0).busyFractionUntil(new CpuTicks(50, 50)).getAsDouble()).isEqualTo(1.0);
    assertThat(new CpuTicks(7, 70).busyFractionUntil(new CpuTicks(7, 90)).getAsDouble()).isZero();
  }

  @Test
  void noTimeOrCountersGoingBackGiveNothing() {
    assertThat(new CpuTicks(10, 100).busyFractionUntil(new CpuTicks(10, 100))).isEmpty();
    assertThat(new CpuTicks(10, 100).busyFractionUntil(new CpuTicks(5, 50))).as("a CPU offlined and back").isEmpty();
    assertThat(new CpuTicks(10, 100).busyFractionUntil(new CpuTicks(5, 150))).isEmpty();
    assertThat(new CpuTicks(10, 100).busyFractionUntil(new CpuTicks(80, 150))).as("more busy than total").isEmpty();
  }
}
