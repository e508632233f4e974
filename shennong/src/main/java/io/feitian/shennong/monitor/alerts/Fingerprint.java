package io.feitian.shennong.monitor.alerts;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An alert's identity as Alertmanager computes it from its labels (Prometheus'
 * {@code LabelSet.Fingerprint}): FNV-1a 64 over each label's name and value in name order, each
 * followed by the byte 0xff, printed as 16 hex digits. Receivers that deduplicate by fingerprint
 * see the same number for the same labels whichever system sent them.
 */
public final class Fingerprint {
  private static final long OFFSET = 0xcbf29ce484222325L;
  private static final long PRIME = 0x100000001b3L;
  private static final int SEPARATOR = 0xff;

  private Fingerprint() {}

  public static String of(Map<String, String> labels) {
    // An alert's labels are already in name order; the notifier asks for every alert's fingerprint at every step.
    Map<String, String> inOrder = labels instanceof SortedMap<String, String> s && s.comparator() == null
        ? labels : new TreeMap<>(labels);
    long hash = OFFSET;
    for (Map.Entry<String, String> e : inOrder.entrySet()) {
      hash = add(hash, e.getKey());
      hash = addByte(hash, SEPARATOR);
      hash = add(hash, e.getValue());
      hash = addByte(hash, SEPARATOR);
    }
    String hex = Long.toHexString(hash);
    return "0".repeat(16 - hex.length()) + hex;
  }

  private static long add(long hash, String s) {
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      hash = addByte(hash, b & 0xff);
    }
    return hash;
  }

  private static long addByte(long hash, int b) {
    return (hash ^ b) * PRIME;
  }
}
