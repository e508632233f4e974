package io.feitian.common.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.feitian.common.grpc.Advertised;
import io.feitian.common.security.MethodPolicy;
import io.feitian.common.security.Role;
import io.feitian.common.security.SecuritySettings;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two daemons' shells in one election against a real ZooKeeper, on real gRPC servers on loopback. */
class ElectedShellTest {
  @TempDir
  Path dir;
  /** What was closed, in order. */
  private final List<String> closed = new CopyOnWriteArrayList<>();

  private ElectedShell<AutoCloseable> shell(TestingServer zk, String name) throws Exception {
    ZkSettings settings = new ZkSettings(zk.getConnectString(), Duration.ofSeconds(2), Duration.ofSeconds(5),
        "feitian/test");
    ElectedShell<AutoCloseable> shell = new ElectedShell<>("/daemon", settings, SecuritySettings.INSECURE,
        "127.0.0.1", 0, port -> Advertised.choose("test.advertise", "", "127.0.0.1", port, zk.getConnectString()));
    shell.connect();
    shell.own(() -> closed.add(name + " first part"));
    shell.own(() -> closed.add(name + " second part"));
    shell.serve(MethodPolicy.requiring(Role.ADMIN));
    shell.elect(epoch -> () -> closed.add(name + " term " + epoch));
    return shell;
  }

  @Test
  void aStandbyNamesTheLeaderTakesOverWhenItGoesAndATermEndsBeforeTheDaemonsParts() throws Exception {
    try (TestingServer zk = new TestingServer(new InstanceSpec(dir.toFile(), -1, -1, -1, true, -1, 200, -1), true)) {
      ElectedShell<AutoCloseable> a = shell(zk, "a");
      await().atMost(Duration.ofSeconds(15)).until(a::isLeader);
      ElectedShell<AutoCloseable> b = shell(zk, "b");
      await().atMost(Duration.ofSeconds(15)).until(() -> b.leader().equals(java.util.Optional.of(a.address())));
      assertThatThrownBy(b::require).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(e.getStatus().getDescription()).contains("leader=" + a.address());
      });

      a.close();
      assertThat(closed).containsExactly("a term 1", "a second part", "a first part");
      await().atMost(Duration.ofSeconds(15)).until(b::isLeader);
      b.close();
      assertThat(closed).endsWith("b term 2", "b second part", "b first part");
    }
  }
}
