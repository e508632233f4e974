package io.feitian.common.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.feitian.common.config.ConfigLoader;
import io.feitian.common.grpc.Advertised;
import io.feitian.common.grpc.Listening;
import io.feitian.common.security.MethodPolicy;
import io.feitian.common.security.Role;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  /** A daemon's settings: loopback, any free port. */
  record Loopback() implements Listening {
    @Override
    public String bind() {
      return "127.0.0.1";
    }

    @Override
    public int port() {
      return 0;
    }

    @Override
    public Advertised advertised(int actualPort, String zkConnect) {
      return Advertised.choose("test.advertise", "", bind(), actualPort, zkConnect);
    }
  }

  private ElectedShell<AutoCloseable> shell(TestingServer zk, String name) throws Exception {
    ElectedShell<AutoCloseable> shell = new ElectedShell<>(ConfigLoader.load(null, Map.of(
        "feitian.zookeeper.connect", zk.getConnectString(), "feitian.zookeeper.session-timeout", "2s")),
        "/daemon", new Loopback());
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
      await().atMost(Duration.ofSeconds(15)).until(() -> b.leader().equals(Optional.of(a.address())));
      assertThatThrownBy(b::require).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(e.getStatus().getDescription()).contains("leader=" + a.address());
      });

      a.close();
      assertThat(closed).containsExactly("a term 1", "a second part", "a first part");
      await().atMost(Duration.ofSeconds(15)).until(b::isLeader);
      b.close();
      assertThat(closed).endsWith("b term 2", "b second part", "b first part");
      assertThat(b.describe("daemon", "data d")).startsWith("daemon on " + b.address() + " (data d, ZooKeeper "
          + zk.getConnectString() + ", cluster ");
    }
  }
}
