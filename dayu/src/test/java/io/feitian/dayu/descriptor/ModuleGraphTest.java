package io.feitian.dayu.descriptor;

import static io.feitian.dayu.descriptor.Descriptors.simple;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModuleGraphTest {
  private static final List<String> R = List.of("r");

  @Test
  void ordersEachModuleAfterItsDependencies() {
    ModuleGraph g = ModuleGraph.of(List.of(
        simple("d", "1.0.0", R, "b", "c >= 1"),
        simple("c", "1.0.0", R, "a"),
        simple("b", "1.0.0", R, "a"),
        simple("a", "1.0.0", R)));
    assertThat(g.order()).containsExactly("a", "b", "c", "d");
    assertThat(g.dependenciesOf("d")).containsExactlyInAnyOrder("b", "c");
  }

  @Test
  void namesTheCycle() {
    assertThatThrownBy(() -> ModuleGraph.of(List.of(
        simple("a", "1.0.0", R),
        simple("b", "1.0.0", R, "a", "d"),
        simple("c", "1.0.0", R, "b"),
        simple("d", "1.0.0", R, "c"))))
        .hasMessage("dependency cycle: b -> d -> c -> b");
  }

  @Test
  void acyclicCheckIgnoresRangesAndAbsentModules() {
    ModuleGraph.checkAcyclic(List.of(simple("a", "2.0.0", R, "b < 1", "x"), simple("b", "3.0.0", R)));
    assertThatThrownBy(() -> ModuleGraph.checkAcyclic(List.of(simple("a", "1.0.0", R, "b", "x"),
        simple("b", "1.0.0", R, "a >= 9"))))
        .hasMessage("dependency cycle: a -> b -> a");
  }

  @Test
  void refusesMissingAndUnsatisfiedDependencies() {
    assertThatThrownBy(() -> ModuleGraph.of(List.of(simple("b", "1.0.0", R, "a >= 1"))))
        .hasMessage("b 1.0.0 depends on a >= 1.0.0, which is not deployed or in the rollout");
    assertThatThrownBy(() -> ModuleGraph.of(List.of(simple("a", "2.0.0", R), simple("b", "1.0.0", R, "a >= 1 < 2"))))
        .hasMessage("b 1.0.0 depends on a >= 1.0.0 < 2.0.0, not satisfied by a 2.0.0");
  }

  @Test
  void everyVersionPresentMustSatisfy() {
    // A cluster half-way through an upgrade of a: b's range must hold for both versions.
    List<ModuleDescriptor> mixed = List.of(simple("a", "1.0.0", R), simple("a", "1.1.0", R), simple("b", "1.0.0", R, "a >= 1.1"));
    assertThatThrownBy(() -> ModuleGraph.of(mixed)).hasMessageContaining("not satisfied by a 1.0.0");
  }
}
