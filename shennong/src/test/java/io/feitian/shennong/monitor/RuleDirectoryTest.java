package io.feitian.shennong.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.shennong.monitor.rules.Rule;
import io.feitian.shennong.monitor.rules.RuleError;
import io.feitian.shennong.monitor.rules.RuleSet;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleDirectoryTest {
  /** The example the distribution ships (conf/monitor-rules), so that it never goes stale. */
  private static final Path SHIPPED = Path.of("../deploy/src/main/dist/conf/monitor-rules");

  @Test
  void theShippedExampleLoads() {
    RuleSet set = RuleDirectory.load(SHIPPED);
    assertThat(set.rules()).extracting(Rule::name)
        .containsExactly("NodeCpuHigh", "TaskWorkerMemoryHigh", "NodeSilent", "JobInstancesFailing");
    assertThat(set.inhibitions()).hasSize(1);
  }

  @Test
  void aDirectoryLoadsWholeOrNotAtAll(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.conf"), "rules = [ { name = A, absent { select = x, after = 1m } } ]\n");
    Files.writeString(dir.resolve("b.conf"), "rules = [ { name = B, absent { select = y, after = 1m } } ]\n");
    Files.writeString(dir.resolve("notes.txt"), "not a rule file");
    assertThat(RuleDirectory.load(dir).rules()).extracting(Rule::name).containsExactly("A", "B");

    Files.writeString(dir.resolve("c.conf"), "\n\nrules = [ { name = C, absent { select = y, after = 1x } } ]\n");
    assertThatThrownBy(() -> RuleDirectory.load(dir)).isInstanceOf(RuleError.class)
        .hasMessageStartingWith("c.conf:3: rules[0].absent.after must be a duration");
  }
}
