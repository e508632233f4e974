package io.feitian.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Needs root, as every user of NetHosts (CI runs as root). Prefix {@code nht}, subnet 218. */
class NetHostsTest {
  /**
   * The bridge's end of a cable left by an earlier run whose namespace the kernel has not cleaned
   * up yet (seconds after {@code ip netns del} on a busy machine): it used to make the next
   * {@code create} fail with "File exists".
   */
  @Test
  void aCableLeftByAnEarlierRunIsRemovedBeforeTheHostsAreMade() throws Exception {
    ip("link", "add", "nhtv1", "type", "veth", "peer", "name", "nhte1");
    try (NetHosts hosts = NetHosts.create("nht", 218, 1)) {
      assertEquals("10.218.0.11", hosts.address(1));
      assertTrue(ip("-n", hosts.namespace(1), "-o", "addr", "show").contains("10.218.0.11/24"));
    }
    assertEquals("", ip("-o", "link", "show").lines().filter(l -> l.contains(" nht")).findAny().orElse(""),
        "closing removes the bridge and the cables");
  }

  private static String ip(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), command + ": " + out);
    return out;
  }
}
