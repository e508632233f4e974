package io.feitian.shennong.inspector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class CounterRatesTest {
  private static final long SECOND = 1_000_000_000L;
  private final CounterRates<String> rates = new CounterRates<>();

  @Test
  void theFirstReadingGivesNoRateAndTheNextGivesTheIncreasePerSecond() {
    assertThat(rates.rate("sda", 1_000, 10 * SECOND)).isEmpty();
    assertThat(rates.rate("sda", 5_000, 12 * SECOND).getAsDouble()).isEqualTo(2_000.0);
    assertThat(rates.rate("sda", 5_000, 13 * SECOND).getAsDouble()).isZero();
  }

  @Test
  void ratesUseTheTimeBetweenReadingsNotANominalInterval() {
    rates.rate("eth0", 0, 0);
    assertThat(rates.rate("eth0", 1_500, 1_500_000_000L).getAsDouble()).isCloseTo(1_000.0, within(1e-9));
  }

  @Test
  void aCounterThatWentDownWasResetAndGivesNoRateThenCountsFromItsNewValue() {
    rates.rate("eth0", 1_000_000, SECOND);
    assertThat(rates.rate("eth0", 300, 2 * SECOND)).isEmpty();
    assertThat(rates.rate("eth0", 800, 3 * SECOND).getAsDouble()).isEqualTo(500.0);
  }

  @Test
  void noTimeElapsedGivesNoRate() {
    rates.rate("cpu", 10, 5 * SECOND);
    assertThat(rates.rate("cpu", 20, 5 * SECOND)).isEmpty();
    assertThat(rates.rate("cpu", 30, 4 * SECOND)).isEmpty();
  }

  @Test
  void keysAreIndependent() {
    rates.rate("a", 0, 0);
    rates.rate("b", 100, 0);
    assertThat(rates.rate("a", 10, SECOND).getAsDouble()).isEqualTo(10.0);
    assertThat(rates.rate("b", 400, SECOND).getAsDouble()).isEqualTo(300.0);
  }

  @Test
  void keysNotReadSinceTheLastSweepAreForgottenSoAReturningKeyStartsOver() {
    rates.rate("pid-1", 100, 0);
    rates.rate("pid-2", 100, 0);
    rates.forgetUnread();
    rates.rate("pid-1", 200, SECOND);
    rates.forgetUnread();
    assertThat(rates.size()).isEqualTo(1);
    OptionalDouble back = rates.rate("pid-2", 10_000, 2 * SECOND);
    assertThat(back).as("a forgotten key's old base must not produce a rate").isEmpty();
  }

  @Test
  void largeCountersKeepTheirPrecision() {
    long base = Long.MAX_VALUE / 2;
    rates.rate("disk", base, 0);
    assertThat(rates.rate("disk", base + 7, SECOND).getAsDouble()).isEqualTo(7.0);
  }
}
