package io.feitian.shennong.inspector;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.shennong.inspector.MachineReading.InterfaceCounters;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NetDevTest {
  /** This machine's /proc/net/dev. */
  private static final String THIS_MACHINE = """
      Inter-|   Receive                                                |  Transmit
       face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
          lo: 4653243674 4441948    0    0    0     0          0         0 4653243674 4441948    0    0    0     0       0          0
        ifb0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
        ifb1:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
        eth0: 112006472    5357    0    0    0     0          0         0   479910    4283    0    0    0     0       0          0
      """;

  @Test
  void bytesAndPacketsOfTheInterfacesAskedFor() {
    assertThat(NetDev.parse(THIS_MACHINE, Set.of("eth0")))
        .containsExactly(new InterfaceCounters("eth0", 112006472, 479910, 5357, 4283));
    assertThat(NetDev.parse(THIS_MACHINE, Set.of("lo", "eth0"))).extracting(InterfaceCounters::name)
        .containsExactly("lo", "eth0");
  }

  @Test
  void aNameWithColonsAndACounterRightAfterTheColonAreRead() {
    String text = """
      Inter-|   Receive                                                |  Transmit
       face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
      eth0:1: 10 2 0 0 0 0 0 0 30 4 0 0 0 0 0 0
      eth1:123456789012 7 0 0 0 0 0 0 5 6 0 0 0 0 0 0
      """;
    assertThat(NetDev.parse(text, Set.of("eth0:1", "eth1"))).containsExactly(
        new InterfaceCounters("eth0:1", 10, 30, 2, 4),
        new InterfaceCounters("eth1", 123456789012L, 5, 7, 6));
    assertThat(NetDev.parse(text, Set.of("eth0"))).as("eth0:1 is not eth0").isEmpty();
  }

  @Test
  void anInterfaceGoneSinceDiscoveryAndLinesNotCountersAreLeftOut() {
    String text = """
      eth0: 1 2 3
      eth1: 1 2 0 0 0 0 0 0 x 4 0 0 0 0 0 0
      eth2: 1 2 0 0 0 0 0 0 3 4 0 0 0 0 0 0
      """;
    assertThat(NetDev.parse(text, Set.of("eth0", "eth1", "eth2", "veth9"))).extracting(InterfaceCounters::name)
        .containsExactly("eth2");
    assertThat(NetDev.parse("", Set.of("eth0"))).isEmpty();
  }
}
