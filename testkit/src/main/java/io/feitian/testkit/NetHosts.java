package io.feitian.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Several hosts on one machine, for tests of what crosses a network: Linux
 * network namespaces {@code <prefix>1..N}, each with one veth interface on a
 * bridge in the test's own namespace, which holds {@link #gatewayAddress()}
 * (where a ZooKeeper started by the test can be reached). Host {@code i} has
 * address {@code 10.<subnet>.0.<10+i>}. A host can be cut off (its interface
 * down: every connection to and from it stalls, as with a pulled cable) and
 * joined again. Needs root (CI runs as root); {@link #close()} kills what
 * runs in the namespaces and removes them.
 */
public final class NetHosts implements AutoCloseable {
  private final String prefix;
  private final int subnet;
  private final int count;

  private NetHosts(String prefix, int subnet, int count) {
    this.prefix = prefix;
    this.subnet = subnet;
    this.count = count;
  }

  /**
   * Creates {@code count} hosts. {@code prefix} (at most 8 characters) names
   * the namespaces and interfaces; leftovers of an earlier run with the same
   * prefix are removed first.
   */
  public static NetHosts create(String prefix, int subnet, int count) {
    if (prefix.length() > 8 || !prefix.matches("[a-z][a-z0-9]*")) {
      throw new IllegalArgumentException("prefix must be 1-8 lowercase letters and digits, got " + prefix);
    }
    if (!"0".equals(run(false, "id", "-u").trim())) {
      throw new IllegalStateException("network namespaces need root; run the integration tests as root (CI does)");
    }
    NetHosts hosts = new NetHosts(prefix, subnet, count);
    hosts.removeLeftovers();
    try {
      hosts.build();
    } catch (RuntimeException e) {
      hosts.removeLeftovers(); // what was made before the failure
      throw e;
    }
    return hosts;
  }

  private void build() {
    ip("link", "add", bridge(), "type", "bridge");
    ip("addr", "add", gatewayAddress() + "/24", "dev", bridge());
    ip("link", "set", bridge(), "up");
    for (int i = 1; i <= count; i++) {
      String ns = namespace(i);
      ip("netns", "add", ns);
      ip("link", "add", outer(i), "type", "veth", "peer", "name", inner(i));
      ip("link", "set", inner(i), "netns", ns);
      ip("-n", ns, "addr", "add", address(i) + "/24", "dev", inner(i));
      ip("-n", ns, "link", "set", "lo", "up");
      ip("-n", ns, "link", "set", inner(i), "up");
      ip("link", "set", outer(i), "master", bridge(), "up");
    }
  }

  public int count() {
    return count;
  }

  /** The namespace of host {@code i} (1-based), for {@code ip netns exec}. */
  public String namespace(int i) {
    check(i);
    return prefix + i;
  }

  /** The address of host {@code i}. */
  public String address(int i) {
    check(i);
    return "10." + subnet + ".0." + (10 + i);
  }

  /** The test's own address on the hosts' network. */
  public String gatewayAddress() {
    return "10." + subnet + ".0.1";
  }

  /** Host {@code i} loses the network: its connections stall until {@link #join}. */
  public void cut(int i) {
    ip("-n", namespace(i), "link", "set", inner(i), "down");
  }

  /** Host {@code i} is on the network again. */
  public void join(int i) {
    ip("-n", namespace(i), "link", "set", inner(i), "up");
  }

  /**
   * Limits host {@code i}'s link to {@code mbitPerSecond} in each direction with a token bucket
   * ({@code tc qdisc ... tbf}; netem is not in every kernel): the egress of its own interface is
   * what it uploads, the egress of the bridge's end of its cable is what it downloads. The bucket
   * holds 128 KiB (a burst at the line's full speed: 2% of a 4 MiB piece), and at most 100 ms of
   * traffic waits in the queue before packets are dropped (TCP then backs off as on a slow link).
   * Calling it again replaces the limit.
   */
  public void limit(int i, int mbitPerSecond) {
    if (mbitPerSecond < 1) {
      throw new IllegalArgumentException("a bandwidth limit must be at least 1 Mbit/s, got " + mbitPerSecond);
    }
    List<String> tbf = List.of("root", "tbf", "rate", mbitPerSecond + "mbit", "burst", "128kb", "latency", "100ms");
    List<String> up = new ArrayList<>(List.of("ip", "netns", "exec", namespace(i), "tc", "qdisc", "replace", "dev",
        inner(i)));
    up.addAll(tbf);
    run(true, up.toArray(String[]::new));
    List<String> down = new ArrayList<>(List.of("tc", "qdisc", "replace", "dev", outer(i)));
    down.addAll(tbf);
    run(true, down.toArray(String[]::new));
  }

  /** Bytes host {@code i} has sent (its interface's transmit counter, headers included). */
  public long bytesSent(int i) {
    try {
      return Long.parseLong(run(true, "ip", "netns", "exec", namespace(i), "cat",
          "/sys/class/net/" + inner(i) + "/statistics/tx_bytes").trim());
    } catch (NumberFormatException e) {
      throw new IllegalStateException("no transmit counter for host " + i, e);
    }
  }

  /**
   * Bytes the test's own namespace sent to the hosts (the bridge's transmit counter, headers
   * included): what a server on {@link #gatewayAddress()} sent them, and the test's own calls.
   */
  public long gatewayBytesSent() {
    try {
      return Long.parseLong(Files.readString(Path.of("/sys/class/net", bridge(), "statistics", "tx_bytes")).trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The command line that runs {@code command} on host {@code i}. */
  public List<String> on(int i, List<String> command) {
    List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", namespace(i)));
    out.addAll(command);
    return out;
  }

  @Override
  public void close() {
    removeLeftovers();
  }

  private void removeLeftovers() {
    for (String ns : run(false, "ip", "netns", "list").split("\n")) {
      String name = ns.split(" ")[0].trim();
      if (name.matches(prefix + "[0-9]+")) {
        for (String pid : run(false, "ip", "netns", "pids", name).split("\n")) {
          if (!pid.isBlank()) {
            run(false, "kill", "-9", pid.trim());
          }
        }
        run(false, "ip", "netns", "del", name);
      }
    }
    if (!run(false, "ip", "link", "show", bridge()).isBlank()) {
      run(false, "ip", "link", "del", bridge());
    }
    // A deleted namespace's interfaces go only once the kernel has cleaned it up, seconds later on
    // a busy machine (20 s once): until then the bridge's ends of its cables keep their names.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (List<String> cables = cables(); !cables.isEmpty(); cables = cables()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("interfaces " + cables + " of an earlier run are still there after 60 s");
      }
      cables.forEach(c -> run(false, "ip", "link", "del", c));
      try {
        TimeUnit.MILLISECONDS.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted removing " + cables, e);
      }
    }
  }

  /** The bridge's ends of cables with this prefix in the test's namespace. */
  private List<String> cables() {
    List<String> out = new ArrayList<>();
    for (String line : run(false, "ip", "-o", "link", "show").split("\n")) {
      String[] f = line.split(":\\s*", 3); // "12: fdsv2@if11: <BROADCAST,..."
      if (f.length == 3 && f[1].split("@")[0].matches(prefix + "v[0-9]+")) {
        out.add(f[1].split("@")[0]);
      }
    }
    return out;
  }

  private String bridge() {
    return prefix + "br";
  }

  /** Host {@code i}'s end of its cable, inside its namespace. */
  private String inner(int i) {
    return prefix + "e" + i;
  }

  /** The bridge's end of host {@code i}'s cable, in the test's namespace. */
  private String outer(int i) {
    return prefix + "v" + i;
  }

  private void check(int i) {
    if (i < 1 || i > count) {
      throw new IllegalArgumentException("host " + i + " is not one of 1.." + count);
    }
  }

  private static void ip(String... args) {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    run(true, command.toArray(String[]::new));
  }

  /** Runs a command and returns its output; a failure throws when {@code strict}, else gives "". */
  private static String run(boolean strict, String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int code = p.waitFor();
      if (code != 0) {
        if (strict) {
          throw new IllegalStateException(String.join(" ", command) + " failed (" + code + "): " + out.trim());
        }
        return "";
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
    }
  }
}
