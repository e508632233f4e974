package io.feitian.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The serving logs Service Workers write (serving.log in each worker's
 * directory), read back as intervals during which a worker served a key
 * range, and the check that no two workers ever served the same key at the
 * same time.
 */
final class ServingLogs {
  /** A worker served [start, end) of the key space from {@code fromMicros} to {@code toMicros}. */
  record Interval(String worker, String partition, String start, String end, long epoch, long fromMicros,
      long toMicros) {
    boolean overlapsKeys(Interval o) {
      return (o.end.isEmpty() || start.compareTo(o.end) < 0) && (end.isEmpty() || o.start.compareTo(end) < 0);
    }

    boolean overlapsTime(Interval o) {
      return fromMicros < o.toMicros && o.fromMicros < toMicros;
    }
  }

  private ServingLogs() {}

  /**
   * Every interval logged under {@code dir}. An interval a worker never
   * closed ends when the worker died ({@code diedAtMicros}, for workers the
   * test killed) or is still open (Long.MAX_VALUE).
   */
  static List<Interval> read(Path dir, Map<String, Long> diedAtMicros) throws IOException {
    List<Interval> all = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().equals("serving.log")).toList()) {
        Map<String, String[]> open = new HashMap<>();
        for (String line : Files.readAllLines(f)) {
          String[] w = line.split(" ");
          if (w.length != 7) {
            continue; // a line cut by kill -9
          }
          String key = w[3] + "@" + w[6];
          if (w[2].equals("START")) {
            open.put(key, w);
          } else {
            String[] s = open.remove(key);
            if (s != null) {
              all.add(interval(s, Long.parseLong(w[0])));
            }
          }
        }
        for (String[] s : open.values()) {
          all.add(interval(s, diedAtMicros.getOrDefault(s[1], Long.MAX_VALUE)));
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return all;
  }

  private static Interval interval(String[] start, long toMicros) {
    return new Interval(start[1], start[3], key(start[4]), key(start[5]), Long.parseLong(start[6]),
        Long.parseLong(start[0]), toMicros);
  }

  private static String key(String logged) {
    return logged.equals("-") ? "" : URLDecoder.decode(logged, StandardCharsets.UTF_8);
  }

  /** Pairs of intervals in which two different workers served a key at the same time. */
  static List<String> overlaps(List<Interval> intervals) {
    List<String> bad = new ArrayList<>();
    for (int i = 0; i < intervals.size(); i++) {
      for (int j = i + 1; j < intervals.size(); j++) {
        Interval a = intervals.get(i);
        Interval b = intervals.get(j);
        if (!a.worker().equals(b.worker()) && a.overlapsKeys(b) && a.overlapsTime(b)) {
          bad.add(a + " and " + b);
        }
      }
    }
    return bad;
  }

  static long nowMicros() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
  }
}
