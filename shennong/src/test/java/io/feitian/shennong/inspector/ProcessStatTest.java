package io.feitian.shennong.inspector;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessStatTest {
  /** A real /proc/PID/stat of this machine (cat's own), with utime 7 and stime 3 put in. */
  private static final String CAT = "2856 (cat) R 2854 2854 21315 0 -1 4194304 100 0 0 0 7 3 0 0 20 0 1 0 4421695"
      + " 3133440 416 18446744073709551615 94704278872064 94704278891945 140733410618000 0 0 0 0 0 0 0 0 0 17 0 0 0"
      + " 0 0 0 94704278907952 94704278909568 94704733118464 140733410626078 140733410626098 140733410626098"
      + " 140733410627563 0\n";

  @Test
  void cpuThreadsStartAndResidentPages() {
    assertThat(ProcessStat.parse(CAT)).contains(new ProcessStat(10, 1, 4421695, 416));
  }

  @Test
  void aCommandNameWithSpacesAndParenthesesIsSkippedWhole() {
    String stat = CAT.replace("(cat)", "(a) b (c))");
    assertThat(ProcessStat.parse(stat)).contains(new ProcessStat(10, 1, 4421695, 416));
  }

  @Test
  void whatIsNoStatLineGivesNothing() {
    assertThat(ProcessStat.parse("")).isEmpty();
    assertThat(ProcessStat.parse("12 (java)")).isEmpty();
    assertThat(ProcessStat.parse("12 (java) S 1 2 3")).isEmpty();
    assertThat(ProcessStat.parse(CAT.replace(" 4421695 ", " x "))).isEmpty();
  }
}
