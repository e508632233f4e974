package io.feitian.shennong.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.proto.shennong.v1.Operation;
import io.feitian.shennong.select.Selector;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowQueryTest {
  private static final Selector ANY = Selector.parse("*");

  private static WindowQuery q(Operation op, List<String> by, long window, long step, List<Double> quantiles) {
    return new WindowQuery(ANY, op, by, window, step, quantiles);
  }

  @Test
  void aValidQueryAlignsItsWindowsToTheStep() {
    WindowQuery q = q(Operation.OPERATION_AVG, List.of("node"), 10_000, 1_000, List.of());
    assertThat(q.windowEndAtOrBefore(1_700_000_012_345L)).isEqualTo(1_700_000_012_000L);
    assertThat(q.windowEndAtOrBefore(1_700_000_012_000L)).isEqualTo(1_700_000_012_000L);
    assertThat(q.windowStart(1_700_000_012_000L)).isEqualTo(1_700_000_002_000L);
    assertThat(q.isRaw()).isFalse();
    assertThat(q(Operation.OPERATION_RAW, List.of(), 0, 0, List.of()).isRaw()).isTrue();
  }

  @Test
  void everyBadFieldIsNamed() {
    assertThatThrownBy(() -> q(Operation.OPERATION_UNSPECIFIED, List.of(), 10_000, 1000, List.of()))
        .hasMessage("operation must be one of RAW, SUM, AVG, MIN, MAX, COUNT, RATE, QUANTILE, got OPERATION_UNSPECIFIED");
    assertThatThrownBy(() -> q(Operation.OPERATION_SUM, List.of(), 999, 100, List.of()))
        .hasMessage("window_ms must be between 1000 and 3600000, got 999");
    assertThatThrownBy(() -> q(Operation.OPERATION_SUM, List.of(), 3_600_001, 1000, List.of()))
        .hasMessage("window_ms must be between 1000 and 3600000, got 3600001");
    assertThatThrownBy(() -> q(Operation.OPERATION_SUM, List.of(), 10_000, 99, List.of()))
        .hasMessage("step_ms must be between 100 and 10000, got 99");
    assertThatThrownBy(() -> q(Operation.OPERATION_SUM, List.of(), 10_000, 10_001, List.of()))
        .hasMessage("step_ms must be between 100 and 10000, got 10001");
    assertThatThrownBy(() -> q(Operation.OPERATION_SUM, Collections.nCopies(9, "a"), 10_000, 1000, List.of()))
        .hasMessage("group_by has 9 labels; at most 8 are allowed");
    assertThatThrownBy(() -> q(Operation.OPERATION_SUM, List.of("node", "1x"), 10_000, 1000, List.of()))
        .hasMessage("group_by[1] must match [A-Za-z_][A-Za-z0-9_]*, got '1x'");
    assertThatThrownBy(() -> q(Operation.OPERATION_SUM, List.of("node", "node"), 10_000, 1000, List.of()))
        .hasMessage("group_by[1] repeats node");
    assertThatThrownBy(() -> q(Operation.OPERATION_SUM, List.of(), 10_000, 1000, List.of(0.5)))
        .hasMessage("quantiles are only for QUANTILE");
    assertThatThrownBy(() -> q(Operation.OPERATION_QUANTILE, List.of(), 10_000, 1000, List.of()))
        .hasMessage("quantiles must hold 1 to 16 values for QUANTILE, got 0");
    assertThatThrownBy(() -> q(Operation.OPERATION_QUANTILE, List.of(), 10_000, 1000, List.of(0.5, 1.5)))
        .hasMessage("quantiles[1] must be between 0 and 1, got 1.5");
    assertThatThrownBy(() -> q(Operation.OPERATION_QUANTILE, List.of(), 10_000, 1000, List.of(Double.NaN)))
        .hasMessage("quantiles[0] must be between 0 and 1, got NaN");
    assertThatThrownBy(() -> q(Operation.OPERATION_RAW, List.of(), 10_000, 0, List.of()))
        .hasMessage("window_ms must be 0 for RAW, which sends samples as they come");
    assertThatThrownBy(() -> q(Operation.OPERATION_RAW, List.of("node"), 0, 0, List.of()))
        .hasMessage("group_by must be empty for RAW");
  }

  @Test
  void theLimitsAreInclusive() {
    q(Operation.OPERATION_QUANTILE, Collections.nCopies(1, "a"), 1000, 100, List.of(0.0, 1.0));
    q(Operation.OPERATION_COUNT, List.of("a", "b", "c", "d", "e", "f", "g", "h"), 3_600_000, 3_600_000, List.of());
    q(Operation.OPERATION_QUANTILE, List.of(), 1000, 1000, Collections.nCopies(16, 0.5));
  }
}
