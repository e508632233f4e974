package io.feitian.taskworker.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProcFsTest {
  // Fields 7 to 17, priority, nice, num_threads, itrealvalue, starttime (22), vsize, rss.
  private static final String TAIL = " 0 0 0 0 0 0 0 0 0 0 0 20 0 1 0 987654 1000 10";

  @Test
  void parsesStatWhoseCommandNameHoldsSpacesAndParentheses() {
    ProcStat stat = ProcStat.parse(123, "123 (evil) name (x) S 7 123 123" + TAIL).orElseThrow();
    assertEquals(new ProcStat(123, 'S', 7, 123, 987654), stat);
    assertFalse(stat.isDead());
    assertTrue(ProcStat.parse(5, "5 (z) Z 1 5 5" + TAIL).orElseThrow().isDead());
    assertTrue(ProcStat.parse(5, "garbage").isEmpty());
  }

  @Test
  void readsThisJvm() {
    long self = ProcessHandle.current().pid();
    ProcStat stat = ProcFs.stat(self).orElseThrow();
    assertTrue(ProcFs.isSameProcessAlive(self, stat.startTicks()));
    assertFalse(ProcFs.isSameProcessAlive(self, stat.startTicks() + 1));
    assertTrue(ProcFs.rssKib(self) > 0);
    assertTrue(ProcFs.scan().get(self).isPresent());
  }

  @Test
  void treeHoldsTheGroupAndEveryDescendantButNoZombie() {
    ProcFs.Table table = new ProcFs.Table(Map.of(
        10L, new ProcStat(10, 'S', 1, 10, 1),
        11L, new ProcStat(11, 'S', 10, 10, 2),
        12L, new ProcStat(12, 'S', 11, 12, 3), // left the group, still a descendant
        13L, new ProcStat(13, 'S', 1, 10, 4), // re-parented, still in the group
        14L, new ProcStat(14, 'Z', 10, 10, 5),
        20L, new ProcStat(20, 'S', 1, 20, 6)));
    assertEquals(Set.of(10L, 11L, 12L, 13L), table.tree(10, 10));
  }
}
