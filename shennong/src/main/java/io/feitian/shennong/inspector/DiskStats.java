package io.feitian.shennong.inspector;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The disks' counters from the text of {@code /proc/diskstats}, and which block devices are disks.
 * One line per device: major, minor, name, then at least 11 counters (14 fields; 18 since Linux
 * 4.18, 20 since 5.5, the additions at the end). Sectors there are always 512 bytes, whatever the
 * device's sector size.
 */
final class DiskStats {
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  private static final int SECTOR_BYTES = 512;
  private static final int FIELDS_AT_LEAST = 14;

  private DiskStats() {}

  /**
   * The disk name of an entry of {@code /sys/block} (a whole disk, never a partition), or empty
   * for loop devices and RAM disks, which OSHI leaves out too. {@code /sys/block} writes a '/' of
   * the kernel's name as '!' ({@code cciss!c0d0}); {@code /proc/diskstats} and {@code /dev} keep it.
   */
  static Optional<String> diskName(String sysBlockEntry) {
    if (sysBlockEntry.startsWith("loop") || sysBlockEntry.startsWith("ram")) {
      return Optional.empty();
    }
    return Optional.of(sysBlockEntry.replace('!', '/'));
  }

  /**
   * The counters of the named disks, in the file's order. A disk without a line (removed since it
   * was found) and lines too short or unreadable are left out.
   */
  static List<MachineReading.DiskCounters> parse(String diskstats, Set<String> disks) {
    List<MachineReading.DiskCounters> out = new ArrayList<>(disks.size());
    for (String line : diskstats.split("\n")) {
      String[] f = WHITESPACE.split(line.strip());
      if (f.length < FIELDS_AT_LEAST || !disks.contains(f[2])) {
        continue;
      }
      try {
        // reads completed, reads merged, sectors read, ms reading, writes completed, merged, sectors written
        out.add(new MachineReading.DiskCounters(f[2], Long.parseLong(f[3]), Long.parseLong(f[5]) * SECTOR_BYTES,
            Long.parseLong(f[7]), Long.parseLong(f[9]) * SECTOR_BYTES));
      } catch (NumberFormatException e) {
        // Not a counter line: nothing to report for it.
      }
    }
    return out;
  }
}
