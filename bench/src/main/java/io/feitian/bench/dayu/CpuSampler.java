package io.feitian.bench.dayu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The machine's busy share of its cores, from /proc/stat: overall and over the busiest second. */
final class CpuSampler {
  private final long[] first;
  private long[] lastSecond;
  private long lastSecondAt;
  private long[] latest;
  private double max;

  CpuSampler() throws IOException {
    first = read();
    lastSecond = first;
    latest = first;
    lastSecondAt = System.nanoTime();
  }

  void sample() throws IOException {
    latest = read();
    if (System.nanoTime() - lastSecondAt >= TimeUnit.SECONDS.toNanos(1)) {
      max = Math.max(max, busy(lastSecond, latest));
      lastSecond = latest;
      lastSecondAt = System.nanoTime();
    }
  }

  double mean() {
    return busy(first, latest);
  }

  double max() {
    return max;
  }

  /** {busy, total} jiffies of all cores. */
  private static long[] read() throws IOException {
    String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long total = 0;
    for (int i = 1; i < f.length; i++) {
      total += Long.parseLong(f[i]);
    }
    long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle + iowait
    return new long[] {total - idle, total};
  }

  private static double busy(long[] a, long[] b) {
    long total = b[1] - a[1];
    return total == 0 ? 0 : (double) (b[0] - a[0]) / total;
  }
}
