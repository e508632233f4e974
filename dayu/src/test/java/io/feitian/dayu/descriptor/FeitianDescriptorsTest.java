package io.feitian.dayu.descriptor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The descriptors Feitian ships for its own daemons parse, render and order. */
class FeitianDescriptorsTest {
  @Test
  void parseAndOrder() {
    List<ModuleDescriptor> all = Descriptors.FEITIAN_MODULES.stream().map(Descriptors::feitian).toList();
    assertThat(all).extracting(ModuleDescriptor::name).containsExactlyElementsOf(Descriptors.FEITIAN_MODULES);
    assertThat(ModuleGraph.of(all).order())
        .containsExactly("fuxi-master", "shennong-master", "shennong-agent", "shennong-inspector", "task-worker");
  }

  @Test
  void everyTemplateRendersFromTheDefaults() {
    for (String module : Descriptors.FEITIAN_MODULES) {
      ModuleDescriptor d = Descriptors.feitian(module);
      Map<String, String> values = new HashMap<>();
      d.parameters().values().forEach(p -> values.put(p.name(), p.defaultValue().orElseThrow()));
      Placeholders.BUILT_IN.forEach(b -> values.put(b, "x"));
      assertThat(d.templates()).as(module).isNotEmpty();
      d.templates().forEach(t -> assertThat(t.render(values)).doesNotContain("{{"));
      assertThat(d.run().systemdUnit()).contains("feitian-" + module + ".service");
    }
  }

  @Test
  void theAgentsOwnDescriptorStartsAndChecksItself() {
    ModuleDescriptor d = Descriptors.feitian("dayu-agent");
    assertThat(d.name()).isEqualTo("dayu-agent");
    assertThat(d.version()).isEqualTo(Descriptors.feitian("task-worker").version());
    assertThat(d.deploy()).extracting(Step::kind).containsExactly(StepKind.FETCH, StepKind.VERIFY, StepKind.INSTALL,
        StepKind.START, StepKind.HEALTH_CHECK);
    assertThat(d.upgrade()).isEqualTo(d.deploy());
    assertThat(d.run().command()).containsExactly("{{module.home}}/bin/dayu-agent");
  }

  @Test
  void removingATaskWorkerDrainsItFirst() {
    assertThat(Descriptors.feitian("task-worker").remove()).extracting(Step::kind)
        .containsExactly(StepKind.DRAIN, StepKind.STOP);
  }
}
