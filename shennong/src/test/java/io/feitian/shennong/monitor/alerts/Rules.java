package io.feitian.shennong.monitor.alerts;

import io.feitian.shennong.monitor.rules.RuleParser;
import io.feitian.shennong.monitor.rules.RuleSet;
import java.util.List;

/** Rule sets for tests, from rule file text. */
public final class Rules {
  private Rules() {}

  public static RuleSet of(String text) {
    return RuleSet.of(List.of(RuleParser.parse("test.conf", text)));
  }
}
