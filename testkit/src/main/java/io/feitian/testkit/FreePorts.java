package io.feitian.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for daemons that a test must name before they start (a child process given its port, a
 * daemon restarted on the same port). A port from {@code new ServerSocket(0)} will not do: it lies
 * in the kernel's ephemeral range, where every outgoing connection of every process on the machine
 * takes its local port too, so between the probe and the daemon's bind a ZooKeeper client connecting
 * elsewhere can take it (CI saw a local cluster's fuxi-master fail with "Address already in use" on
 * the port after ZooKeeper's). These ports come from below the ephemeral range, which only explicit
 * binds use, and are handed out once per JVM.
 */
public final class FreePorts {
  private static final int LOWEST = 10_000;
  private static final Set<Integer> handedOut = new HashSet<>();

  private FreePorts() {}

  /** One free port. */
  public static int one() {
    return block(1);
  }

  /** The first of {@code size} consecutive free ports. */
  public static synchronized int block(int size) {
    int highest = ephemeralLow() - size;
    if (highest <= LOWEST) {
      throw new IllegalStateException("no room for " + size + " ports below the ephemeral range");
    }
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = ThreadLocalRandom.current().nextInt(LOWEST, highest);
      if (allFree(base, size)) {
        for (int p = base; p < base + size; p++) {
          handedOut.add(p);
        }
        return base;
      }
    }
    throw new IllegalStateException("no block of " + size + " free ports below " + (highest + size));
  }

  private static boolean allFree(int base, int size) {
    for (int p = base; p < base + size; p++) {
      if (handedOut.contains(p) || !bindable(p)) {
        return false;
      }
    }
    return true;
  }

  /** Binding the wildcard address fails if anything holds the port on any address. */
  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The first port of the kernel's ephemeral range (Linux), or the IANA one elsewhere. */
  private static int ephemeralLow() {
    try {
      // One read from offset 0: Files.readString reads a byte first, and a sysctl file read from
      // offset 1 on gives only the rest of its first number.
      try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
        return Integer.parseInt(r.readLine().trim().split("\\s+")[0]);
      }
    } catch (IOException | RuntimeException e) {
      return 49_152;
    }
  }
}
