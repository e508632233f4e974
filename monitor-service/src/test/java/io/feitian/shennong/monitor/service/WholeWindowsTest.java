package io.feitian.shennong.monitor.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.proto.shennong.v1.Gap;
import io.feitian.proto.shennong.v1.GroupResult;
import io.feitian.proto.shennong.v1.Label;
import io.feitian.proto.shennong.v1.SubscriptionUpdate;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class WholeWindowsTest {
  private static SubscriptionUpdate window(Gap gap, Object... nodeValues) {
    SubscriptionUpdate.Builder u = SubscriptionUpdate.newBuilder().setGap(gap);
    for (int i = 0; i < nodeValues.length; i += 2) {
      u.addGroups(GroupResult.newBuilder().addGroup(Label.newBuilder().setName("node").setValue((String) nodeValues[i]))
          .setValue((Double) nodeValues[i + 1]));
    }
    return u.build();
  }

  private static Map<String, Double> values(Optional<SubscriptionUpdate> u) {
    return u.orElseThrow().getGroupsList().stream().collect(Collectors.toMap(g -> g.getGroup(0).getValue(),
        GroupResult::getValue, (a, b) -> a, TreeMap::new));
  }

  private static final Gap MISSING = Gap.newBuilder().addMissingAgents("n2").build();

  @Test
  void aGappedWindowBeforeAnyWholeOneIsNotTaken() {
    WholeWindows w = new WholeWindows();
    assertThat(w.take("R", window(MISSING))).isEmpty();
    assertThat(w.take("R", window(Gap.newBuilder().setIncompleteSeries(1).build(), "n1", 1.0))).isEmpty();
    assertThat(values(w.take("R", window(Gap.getDefaultInstance(), "n1", 2.0)))).isEqualTo(Map.of("n1", 2.0));
  }

  @Test
  void aGappedWindowKeepsTheGroupsItLacksAndAWholeOneReplacesThem() {
    WholeWindows w = new WholeWindows();
    w.take("R", window(Gap.getDefaultInstance(), "n1", 1.0, "n2", 9.0));
    assertThat(values(w.take("R", window(MISSING, "n1", 3.0)))).isEqualTo(Map.of("n1", 3.0, "n2", 9.0));
    assertThat(values(w.take("R", window(MISSING)))).isEqualTo(Map.of("n1", 3.0, "n2", 9.0));
    assertThat(values(w.take("R", window(Gap.getDefaultInstance(), "n1", 4.0)))).isEqualTo(Map.of("n1", 4.0));
    assertThat(w.take("other", window(MISSING, "n1", 1.0))).as("rules are apart").isEmpty();
    w.forget("R");
    assertThat(w.take("R", window(MISSING, "n1", 5.0))).isEmpty();
  }
}
