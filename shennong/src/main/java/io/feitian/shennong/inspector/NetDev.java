package io.feitian.shennong.inspector;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The interfaces' counters from the text of {@code /proc/net/dev}: two header lines, then one line
 * per interface, {@code NAME: } and 16 counters (8 received, 8 sent; bytes and packets first). A
 * large first counter follows the colon without a space. The name ends at the line's last colon,
 * counters having none, so a name holding a colon (allowed by old kernels) is read whole.
 */
final class NetDev {
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  private static final int COUNTERS = 16;
  private static final int SENT = 8;

  private NetDev() {}

  /** The counters of the named interfaces, in the file's order; an interface without a line is left out. */
  static List<MachineReading.InterfaceCounters> parse(String netDev, Set<String> interfaces) {
    List<MachineReading.InterfaceCounters> out = new ArrayList<>(interfaces.size());
    for (String line : netDev.split("\n")) {
      int colon = line.lastIndexOf(':');
      String name = colon < 0 ? "" : line.substring(0, colon).strip();
      if (!interfaces.contains(name)) {
        continue;
      }
      String[] c = WHITESPACE.split(line.substring(colon + 1).strip());
      if (c.length < COUNTERS) {
        continue;
      }
      try {
        out.add(new MachineReading.InterfaceCounters(name, Long.parseLong(c[0]),
            Long.parseLong(c[SENT]), Long.parseLong(c[1]), Long.parseLong(c[SENT + 1])));
      } catch (NumberFormatException e) {
        // Not a counter line: nothing to report for it.
      }
    }
    return out;
  }
}
