package io.feitian.common.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void delaysDoubleWithinTheUpperHalfOfTheirRangeUpToTheCeiling() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000));
    long[] ceilings = {100, 200, 400, 800, 1000, 1000, 1000};
    for (long ceiling : ceilings) {
      assertThat(b.nextDelayMillis()).isBetween(ceiling / 2, ceiling);
    }
  }

  @Test
  void resetStartsOverFromTheInitialDelay() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));
    for (int i = 0; i < 10; i++) {
      b.nextDelayMillis();
    }
    b.reset();
    assertThat(b.nextDelayMillis()).isBetween(50L, 100L);
  }

  @Test
  void peersDoNotRetryInLockstep() {
    Set<Long> delays = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      delays.add(new Backoff(Duration.ofMillis(1000), Duration.ofMillis(1000)).nextDelayMillis());
    }
    assertThat(delays).hasSizeGreaterThan(20);
  }

  @Test
  void nonsenseSettingsAreRefused() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1))).hasMessageContaining("initial");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).hasMessageContaining("max");
  }
}
