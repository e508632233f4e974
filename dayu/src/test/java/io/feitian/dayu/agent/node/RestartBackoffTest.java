package io.feitian.dayu.agent.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.dayu.agent.node.RestartBackoff.Decision;
import io.feitian.dayu.agent.node.RestartBackoff.History;
import io.feitian.testkit.PureCore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestartBackoffTest {
  private final RestartBackoff backoff = new RestartBackoff(1_000, 60_000, 120_000);

  @Test
  void aProcessThatKeepsEndingAtOnceWaitsTwiceAsLongEachTimeUpToTheMaximum() {
    History h = History.NONE;
    long now = 0;
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      Decision d = backoff.onEnd(h, now);
      delays.add(d.delayMillis());
      assertThat(d.inARow()).isEqualTo(i + 1);
      assertThat(d.atMillis()).isEqualTo(now + d.delayMillis());
      now = d.atMillis();
      h = d.done(now);
      now += 500; // up half a second, then ends again
    }
    assertThat(delays).containsExactly(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 32_000L, 60_000L, 60_000L, 60_000L);
  }

  @Test
  void aProcessThatStayedUpLongEnoughStartsANewRow() {
    History h = new History(5, 10_000);

    assertThat(backoff.onEnd(h, 10_000 + 119_999)).isEqualTo(new Decision(6, 10_000 + 119_999 + 32_000, 32_000));
    assertThat(backoff.onEnd(h, 10_000 + 120_000)).isEqualTo(new Decision(1, 10_000 + 121_000, 1_000));
  }

  @Test
  void theFirstEndTheAgentSeesIsTheFirstOfARow() {
    // An agent that just started knows nothing of earlier restarts: a node that rebooted.
    assertThat(backoff.onEnd(History.NONE, 5)).isEqualTo(new Decision(1, 1_005, 1_000));
  }

  @Test
  void theDoublingNeverOverflows() {
    assertThat(new RestartBackoff(1, Long.MAX_VALUE, 1).delay(Integer.MAX_VALUE)).isPositive();
    assertThat(backoff.delay(Integer.MAX_VALUE)).isEqualTo(60_000);
  }

  @Test
  void refusesSettingsThatCannotWork() {
    assertThatThrownBy(() -> new RestartBackoff(0, 1, 1)).hasMessageContaining("positive");
    assertThatThrownBy(() -> new RestartBackoff(2_000, 1_000, 1)).hasMessageContaining("at most its maximum");
    assertThatThrownBy(() -> new RestartBackoff(1, 1, 0)).hasMessageContaining("stay up");
  }

  @Test
  void isAPureCore() {
    PureCore.checkClass(RestartBackoff.class, "the restart decision takes the time as an argument");
  }
}
