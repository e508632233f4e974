package io.feitian.dayu.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.dayu.rollout.Kind;
import io.feitian.dayu.rollout.Status;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The stored rollout's record: its state mirrors the core's Status, and it compares by content. */
class RolloutRecordTest {

  @Test
  void theStoredStateMirrorsTheCoresStatus() {
    assertThat(Arrays.stream(Rollout.State.values()).map(Enum::name))
        .containsExactlyElementsOf(Arrays.stream(Status.values()).map(Enum::name).toList());
    for (Status s : Status.values()) {
      assertThat(Rollout.State.of(s).name()).isEqualTo(s.name());
    }
    assertThat(Arrays.stream(Rollout.State.values()).filter(Rollout.State::active))
        .containsExactly(Rollout.State.RUNNING, Rollout.State.ROLLING_BACK);
    assertThat(Arrays.stream(Rollout.State.values()).filter(Rollout.State::terminal))
        .containsExactly(Rollout.State.SUCCEEDED, Rollout.State.ROLLED_BACK);
  }

  @Test
  void statesMoveAsTheCoreMovesThem() {
    for (Rollout.State from : Rollout.State.values()) {
      assertThat(from.mayBecome(from)).as("%s stays", from).isTrue();
    }
    assertThat(Arrays.stream(Rollout.State.values()).filter(Rollout.State.RUNNING::mayBecome))
        .containsExactly(Rollout.State.values());
    assertThat(Arrays.stream(Rollout.State.values()).filter(Rollout.State.ROLLING_BACK::mayBecome))
        .containsExactly(Rollout.State.FAILED, Rollout.State.ABORTED, Rollout.State.ROLLING_BACK,
            Rollout.State.ROLLED_BACK);
    assertThat(Arrays.stream(Rollout.State.values()).filter(Rollout.State.FAILED::mayBecome))
        .containsExactly(Rollout.State.FAILED, Rollout.State.ROLLING_BACK);
    assertThat(Arrays.stream(Rollout.State.values()).filter(Rollout.State.ABORTED::mayBecome))
        .containsExactly(Rollout.State.ABORTED, Rollout.State.ROLLING_BACK);
    assertThat(Arrays.stream(Rollout.State.values()).filter(Rollout.State.SUCCEEDED::mayBecome))
        .containsExactly(Rollout.State.SUCCEEDED);
    assertThat(Arrays.stream(Rollout.State.values()).filter(Rollout.State.ROLLED_BACK::mayBecome))
        .containsExactly(Rollout.State.ROLLED_BACK);
  }

  @Test
  void aRolloutComparesItsControllerStateByContent() {
    assertThat(rollout(new byte[] {1, 2})).isEqualTo(rollout(new byte[] {1, 2}))
        .hasSameHashCodeAs(rollout(new byte[] {1, 2}))
        .isNotEqualTo(rollout(new byte[] {1, 3}));
    assertThat(rollout(new byte[] {1, 2}).toString()).contains("controllerState=2 bytes");
    assertThat(rollout(new byte[0]).targets().keySet()).containsExactly("a", "b");
  }

  private static Rollout rollout(byte[] controllerState) {
    Instant t = Instant.EPOCH;
    return new Rollout(1, "prod", Kind.UPGRADE, Map.of("b", "1", "a", ""), Set.of("n2", "n1"), "{}",
        Rollout.State.RUNNING, false, "alice", t, t, 1, controllerState, false);
  }
}
