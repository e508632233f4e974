package io.feitian.client.cli.dayu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code feitian dayu info}, {@code node roles} and {@code node state} in this JVM against a real
 * dayu-server whose nodes' (simulated) agents report what they run.
 */
class InfoCliTest {
  @TempDir
  Path dir;
  private RolloutCluster cluster;

  @BeforeEach
  void start() throws Exception {
    cluster = new RolloutCluster(dir);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private String ok(String... args) {
    return cluster.ok(args);
  }

  @Test
  void infoShowsNodesRacksRolesAndAddresses() {
    cluster.node("n1", Map.of("app", "1.0.0")); // registered: its installed modules are reported
    cluster.node("n2", Map.of());
    ok("params", "set", "-c", "prod", "app", "port=9090", "--node", "n1", "-m", "n1 listens elsewhere");

    String info = ok("info", "-c", "prod");
    assertThat(info).startsWith("cluster prod, parameter revision 1\n")
        .containsPattern("n1\\s+r1\\s+ONLINE\\s+worker\\s+app@1\\.0\\.0\n")
        .containsPattern("n2\\s+r1\\s+ONLINE\\s+worker\n")
        .containsPattern("RACK\\s+HOSTS\nr1\\s+n1,n2\n")
        .containsPattern("ROLE\\s+HOSTS\nworker\\s+n1,n2\n")
        .containsPattern("MODULE\\s+ADDRESSES\napp\\s+n1:9090\n");
    assertThat(ok("info", "-c", "prod", "--json")).contains("\"module\": \"app\"", "\"n1:9090\"",
        "\"app\": \"1.0.0\"");
    cluster.dayu("info", "-c", "nowhere").fails(1, "feitian: NOT_FOUND: cluster");
  }

  @Test
  void rolesAndStateOfANode() {
    cluster.node("n1", Map.of());
    assertThat(ok("node", "roles", "-c", "prod", "n1", "master", "gpu"))
        .isEqualTo("node n1 of prod has roles gpu,master\n");
    assertThat(ok("node", "state", "-c", "prod", "n1", "DRAINING")).isEqualTo("node n1 of prod is DRAINING\n");
    assertThat(ok("node", "list", "-c", "prod")).containsPattern("n1\\s+r1\\s+DRAINING\\s+gpu,master");

    cluster.dayu("node", "roles", "-c", "prod", "n1", "Bad Role").fails(1, "feitian: INVALID_ARGUMENT: roles");
    cluster.dayu("node", "state", "-c", "prod", "n1", "gone").fails(1,
        "feitian: INVALID_ARGUMENT: state must be one of [NEW, ONLINE, OFFLINE, DRAINING], got \"gone\"");
    cluster.dayu("node", "state", "-c", "prod", "n9", "ONLINE").fails(1, "feitian: NOT_FOUND: host");
    assertThat(cluster.dayu("node", "roles", "-c", "prod", "n1").exit()).as("no role given").isEqualTo(2);
    assertThat(ok("node", "list", "-c", "prod")).as("nothing changed")
        .containsPattern("n1\\s+r1\\s+DRAINING\\s+gpu,master");
  }
}
