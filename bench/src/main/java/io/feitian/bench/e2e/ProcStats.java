package io.feitian.bench.e2e;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What /proc and the JDK tools say about a process (Linux only). */
final class ProcStats {
  /** Clock ticks per second of /proc/PID/stat times (USER_HZ; 100 on every Linux this runs on). */
  private static final double HZ = 100.0;

  private ProcStats() {}

  /** User + system CPU seconds the process has used so far. */
  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Fields after the command name (which is in parentheses and may hold spaces).
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long utime = Long.parseLong(f[11]);
      long stime = Long.parseLong(f[12]);
      return (utime + stime) / HZ;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** CPU seconds used by this JVM. */
  static double selfCpuSeconds() {
    return cpuSeconds(ProcessHandle.current().pid());
  }

  /** Resident set size in KiB (VmRSS), or -1. */
  static long rssKib(long pid) {
    return statusField(pid, "VmRSS:");
  }

  static long statusField(long pid, String name) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith(name)) {
          return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return -1;
  }

  /** Runs a JDK tool (jcmd, jstat) from this JVM's java.home; returns its output. */
  static String jdkTool(String tool, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", tool).toString());
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      p.waitFor(60, TimeUnit.SECONDS);
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "cannot run " + tool + ": " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** Heap figures of another JVM from jstat -gc (KiB). */
  record Heap(double usedKib, double capacityKib, double metaspaceUsedKib, double youngGcs, double fullGcs) {}

  static Heap jstat(long pid) {
    String out = jdkTool("jstat", "-gc", Long.toString(pid));
    String[] lines = out.strip().split("\n");
    if (lines.length < 2) {
      throw new IllegalStateException("jstat -gc " + pid + " said: " + out);
    }
    String[] names = lines[0].trim().split("\\s+");
    String[] values = lines[1].trim().split("\\s+");
    java.util.Map<String, Double> m = new java.util.HashMap<>();
    for (int i = 0; i < names.length && i < values.length; i++) {
      try {
        m.put(names[i], Double.parseDouble(values[i]));
      } catch (NumberFormatException e) {
        m.put(names[i], Double.NaN);
      }
    }
    double used = m.getOrDefault("S0U", 0.0) + m.getOrDefault("S1U", 0.0) + m.getOrDefault("EU", 0.0)
        + m.getOrDefault("OU", 0.0);
    double cap = m.getOrDefault("S0C", 0.0) + m.getOrDefault("S1C", 0.0) + m.getOrDefault("EC", 0.0)
        + m.getOrDefault("OC", 0.0);
    return new Heap(used, cap, m.getOrDefault("MU", Double.NaN), m.getOrDefault("YGC", Double.NaN),
        m.getOrDefault("FGC", Double.NaN));
  }

  /** Full GC in another JVM (jcmd GC.run), twice so that finalizable and soft garbage goes too. */
  static void fullGc(long pid) {
    jdkTool("jcmd", Long.toString(pid), "GC.run");
    jdkTool("jcmd", Long.toString(pid), "GC.run");
  }

  /** Live heap of this JVM after a full GC, in bytes. */
  static long selfHeapAfterGc() {
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** CPU seconds the whole machine has been busy (all cores; /proc/stat, not idle nor iowait). */
  static double machineBusySeconds() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        if (i != 4 && i != 5) {
          busy += Long.parseLong(f[i]);
        }
      }
      return busy / HZ;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Whether a Maven build (of another engineer) is running on this machine. */
  static boolean mavenRunning() {
    return ProcessHandle.allProcesses().anyMatch(h -> h.info().commandLine().orElse("").contains("plexus-classworlds"));
  }

  /** 1-minute load average and runnable processes, from /proc/loadavg. */
  static String loadavg() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "?";
    }
  }
}
