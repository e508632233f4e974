package io.feitian.client.cli.dayu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.testkit.FreePorts;
import io.feitian.testkit.PostgresForClass;
import io.feitian.testkit.PrivatePostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code feitian dayu} against two dayu-servers elected through a real ZooKeeper (in-process) over
 * one private PostgreSQL: a command sent to the standby goes to the leader it names, and a list of
 * servers is tried in order.
 */
class ElectedServersCliTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  @RegisterExtension
  static final PostgresForClass postgres = new PostgresForClass();

  @TempDir
  Path dir;
  private TestingServer zk;
  private final List<RunningDayuServer> servers = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    servers.forEach(RunningDayuServer::close);
    if (zk != null) {
      zk.close();
    }
  }

  private RunningDayuServer server(String name, String url) {
    RunningDayuServer s = new RunningDayuServer(dir.resolve(name), Map.of("dayu.server.election", true,
        "dayu.database.url", url, "dayu.database.user", PrivatePostgres.USER, "dayu.database.password", "",
        "feitian.zookeeper.connect", zk.getConnectString()));
    servers.add(s);
    return s;
  }

  @Test
  void aCommandSentToTheStandbyGoesToTheLeaderItNames() throws Exception {
    zk = new TestingServer(new InstanceSpec(dir.resolve("zk").toFile(), -1, -1, -1, true, -1, 200, -1), true);
    String url = postgres.createDatabase();
    RunningDayuServer leader = server("a", url);
    await().atMost(DEADLINE).until(leader::isLeader);
    RunningDayuServer standby = server("b", url);
    assertThat(standby.isLeader()).isFalse();

    CliRun add = CliRun.dayu(standby.address(), "cluster", "add", "prod");
    assertThat(add.exit()).as("stderr: %s", add.err()).isZero();
    assertThat(add.out()).isEqualTo("added cluster prod\n");
    assertThat(add.err()).isEqualTo("feitian: dayu-server " + standby.address()
        + " is a standby; asking the leader it names, " + leader.address() + "\n");
    // Done once, on the leader: adding it again through the leader is refused.
    CliRun again = CliRun.dayu(leader.address(), "cluster", "add", "prod");
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("ALREADY_EXISTS");

    // A list: a server that is down, then the standby, then the leader.
    String down = "127.0.0.1:" + FreePorts.one();
    CliRun list = CliRun.dayu(down + "," + standby.address() + "," + leader.address(), "cluster", "list");
    assertThat(list.exit()).as("stderr: %s", list.err()).isZero();
    assertThat(list.out()).contains("prod");
    assertThat(list.err().lines()).hasSize(2);
    assertThat(list.err()).startsWith("feitian: dayu-server " + down + " is unavailable (")
        .contains("; asking " + standby.address() + "\n")
        .endsWith("feitian: dayu-server " + standby.address() + " is a standby; asking the leader it names, "
            + leader.address() + "\n");

    // A refusal of the leader's own is the command's: no other server is asked.
    CliRun unknown = CliRun.dayu(standby.address() + "," + leader.address(), "node", "list", "-c", "nowhere");
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err().lines()).hasSize(2);
    assertThat(unknown.err()).contains("NOT_FOUND");
  }
}
