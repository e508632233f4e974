package io.feitian.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {
  @Test
  void blocksLieBelowTheEphemeralRangeAreBindableAndNeverHandedOutTwice() throws IOException {
    int ephemeralLow;
    try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
      ephemeralLow = Integer.parseInt(r.readLine().trim().split("\\s+")[0]);
    }
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      int base = FreePorts.block(10);
      assertTrue(base + 10 <= ephemeralLow, "block " + base + " reaches the ephemeral range at " + ephemeralLow);
      for (int p = base; p < base + 10; p++) {
        assertTrue(seen.add(p), "port " + p + " handed out twice");
        try (ServerSocket s = new ServerSocket()) {
          s.bind(new InetSocketAddress("127.0.0.1", p));
        }
      }
    }
  }
}
