package io.feitian.shennong.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentSettingsTest {
  private static Config with(Map<String, String> settings) {
    return ConfigFactory.parseMap(Map.of("shennong.agent.node-id", "n1")).withFallback(ConfigFactory.parseMap(settings))
        .withFallback(ConfigFactory.defaultReference()).resolve();
  }

  @Test
  void theEvaluationDelayAdaptsBetweenItsMinimumAndItsMaximum() {
    AgentSettings defaults = AgentSettings.from(with(Map.of()));
    assertThat(defaults.evaluationDelayMin()).isEqualTo(Duration.ofMillis(5));
    assertThat(defaults.evaluationDelay()).isEqualTo(Duration.ofMillis(50));
    AgentSettings fixed = AgentSettings.from(with(Map.of("shennong.agent.evaluation-delay-min", "50ms")));
    assertThat(fixed.evaluationDelayMin()).isEqualTo(fixed.evaluationDelay());
  }

  @Test
  void aMinimumAboveTheMaximumOrNegativeIsRefusedNamingTheSetting() {
    assertThatThrownBy(() -> AgentSettings.from(with(Map.of("shennong.agent.evaluation-delay-min", "60ms"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("evaluation-delay-min")
        .hasMessageContaining("got 60 ms and 50 ms");
    assertThatThrownBy(() -> AgentSettings.from(with(Map.of("shennong.agent.evaluation-delay-min", "-1ms"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("evaluation-delay-min");
  }
}
