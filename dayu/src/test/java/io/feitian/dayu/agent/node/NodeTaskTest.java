package io.feitian.dayu.agent.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.dayu.agent.node.NodeTask.Purpose;
import io.feitian.dayu.descriptor.ModuleDescriptor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeTaskTest {
  private static final String SHA = "a".repeat(64);
  private final ModuleDescriptor v1 = SampleModule.descriptor("1.0.0", "3s");

  @Test
  void defaultsFillTheParametersNotGivenAndValuesAreNormalized() {
    NodeTask t = new NodeTask(v1, Purpose.DEPLOY, "", "1.0.0", SHA, 10, Map.of("port", " 8080 "));

    assertThat(t.parameters()).isEqualTo(Map.of("port", "8080", "greeting", "hello", "health-path", "health"));
    assertThat(t.steps()).isEqualTo(v1.deploy());
    assertThat(t).hasToString("deploy sample 1.0.0");
  }

  @Test
  void eachPurposeHasItsSteps() {
    assertThat(new NodeTask(v1, Purpose.UPGRADE, "0.9.0", "1.0.0", SHA, 10, Map.of("port", "1")).steps())
        .isEqualTo(v1.upgrade());
    NodeTask remove = new NodeTask(v1, Purpose.REMOVE, "1.0.0", "", "", 0, Map.of());
    assertThat(remove.steps()).isEqualTo(v1.remove());
    assertThat(remove.version()).isEqualTo("1.0.0");
  }

  @Test
  void refusalsNameTheField() {
    assertThatThrownBy(() -> new NodeTask(v1, Purpose.DEPLOY, "0.9.0", "1.0.0", SHA, 10, Map.of("port", "1")))
        .hasMessage("fromVersion must be empty for a deploy, got \"0.9.0\"");
    assertThatThrownBy(() -> new NodeTask(v1, Purpose.DEPLOY, "", "2.0.0", SHA, 10, Map.of("port", "1")))
        .hasMessage("toVersion 2.0.0 is not the descriptor's sample 1.0.0");
    assertThatThrownBy(() -> new NodeTask(v1, Purpose.UPGRADE, "1.0.0", "1.0.0", SHA, 10, Map.of("port", "1")))
        .hasMessageStartingWith("fromVersion must name the installed version, other than toVersion");
    assertThatThrownBy(() -> new NodeTask(v1, Purpose.REMOVE, "2.0.0", "", "", 0, Map.of()))
        .hasMessage("fromVersion 2.0.0 is not the descriptor's sample 1.0.0");
    assertThatThrownBy(() -> new NodeTask(v1, Purpose.DEPLOY, "", "1.0.0", "ABC", 10, Map.of("port", "1")))
        .hasMessage("sha256 must be 64 lowercase hex digits, got \"ABC\"");
    assertThatThrownBy(() -> new NodeTask(v1, Purpose.DEPLOY, "", "1.0.0", SHA, -1, Map.of("port", "1")))
        .hasMessage("size must not be negative, got -1");
    assertThatThrownBy(() -> new NodeTask(v1, Purpose.DEPLOY, "", "1.0.0", SHA, 10, Map.of("port", "eighty")))
        .hasMessage("parameters.port must be a whole number (type int), got \"eighty\"");
    assertThatThrownBy(() -> new NodeTask(v1, Purpose.DEPLOY, "", "1.0.0", SHA, 10, Map.of("port", "1", "prot", "2")))
        .hasMessage("parameters.prot is not a parameter of sample 1.0.0");
    assertThatThrownBy(() -> new NodeTask(v1, Purpose.DEPLOY, "", "1.0.0", SHA, 10, Map.of()))
        .hasMessage("parameters.port is required by sample 1.0.0 (no default) and not set");
  }

  @Test
  void aRemovalNeedsNoRequiredParameter() {
    assertThat(new NodeTask(v1, Purpose.REMOVE, "1.0.0", "", "", 0, Map.of()).parameters()).doesNotContainKey("port");
  }
}
