package io.feitian.shennong.inspector;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.shennong.inspector.MachineReading.DiskCounters;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DiskStatsTest {
  /** This machine's /proc/diskstats (Linux 6.18: 20 fields a line), shortened to four loop devices. */
  private static final String THIS_MACHINE = """
         7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
         7       1 loop1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
         7       2 loop2 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
         7       3 loop3 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
       254       0 vda 147581 23455 6620490 42598 226877 291827 12113712 114666 0 110616 234345 231036 79 9193936 38672 49103 38408
       253       0 zram0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
      """;

  @Test
  void readsCompletedAndSectorsOfTheDisksAskedFor() {
    assertThat(DiskStats.parse(THIS_MACHINE, Set.of("vda", "zram0"))).containsExactly(
        new DiskCounters("vda", 147581, 6620490L * 512, 226877, 12113712L * 512),
        new DiskCounters("zram0", 0, 0, 0, 0));
  }

  @Test
  void everyKernelsLineLengthIsRead() {
    String text = """
         8       0 sda 10 1 200 5 20 2 400 7 0 9 12
         8      16 sdb 11 1 201 5 21 2 401 7 0 9 12 3 0 64 1
       259       0 nvme0n1 12 1 202 5 22 2 402 7 0 9 12 3 0 64 1 6 2
      """;
    assertThat(DiskStats.parse(text, Set.of("sda", "sdb", "nvme0n1"))).containsExactly(
        new DiskCounters("sda", 10, 200 * 512, 20, 400 * 512),
        new DiskCounters("sdb", 11, 201 * 512, 21, 401 * 512),
        new DiskCounters("nvme0n1", 12, 202 * 512, 22, 402 * 512));
  }

  @Test
  void aDiskRemovedSinceDiscoveryAndLinesNotCountersAreLeftOut() {
    String text = """
         8       0 sda 10 1 200 5 20 2 400 7 0 9 12 3 0 64 1 6 2
         8       1 sda1 4 200 6 400
         8      16 sdb 11 1 201 5 x 2 401 7 0 9 12 3 0 64 1 6 2
         8      32 sdc 11 1 201 5 21 2 401
      garbage

      """;
    assertThat(DiskStats.parse(text, Set.of("sda", "sda1", "sdb", "sdc", "gone"))).extracting(DiskCounters::name)
        .as("sda1: a partition's old 4-counter line; sdb: not a number; sdc: too short; gone: removed")
        .containsExactly("sda");
    assertThat(DiskStats.parse("", Set.of("sda"))).isEmpty();
  }

  @Test
  void countersBeyondIntAreRead() {
    String text = "8 0 sda 4294967296 0 8589934592 0 1 0 1 0 0 0 0\n";
    assertThat(DiskStats.parse(text, Set.of("sda")))
        .containsExactly(new DiskCounters("sda", 4294967296L, 8589934592L * 512, 1, 512));
  }

  @Test
  void loopDevicesAndRamDisksAreNoDisks() {
    assertThat(DiskStats.diskName("vda")).contains("vda");
    assertThat(DiskStats.diskName("zram0")).as("compressed swap in RAM: OSHI reports it").contains("zram0");
    assertThat(DiskStats.diskName("nvme0n1")).contains("nvme0n1");
    assertThat(DiskStats.diskName("dm-0")).contains("dm-0");
    assertThat(DiskStats.diskName("cciss!c0d0")).contains("cciss/c0d0");
    assertThat(DiskStats.diskName("loop0")).isEmpty();
    assertThat(DiskStats.diskName("ram0")).isEmpty();
  }
}
