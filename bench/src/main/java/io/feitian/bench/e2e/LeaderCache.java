package io.feitian.bench.e2e;

import io.feitian.common.zk.LeaderLocator;
import io.feitian.common.zk.ZkSettings;
import io.feitian.common.zk.ZooKeeperClients;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;

/**
 * Who leads, as ZooKeeper's latch says, for all simulated nodes of the
 * benchmark: one ZooKeeper session and one watched copy of the latch (what
 * each real task-worker has for itself).
 */
final class LeaderCache implements AutoCloseable {
  private final CuratorFramework zk;
  private final LeaderLocator locator;

  LeaderCache(String connect, String clusterName) {
    this.zk = ZooKeeperClients.start(new ZkSettings(connect, Duration.ofSeconds(10), Duration.ofSeconds(10),
        "feitian/" + clusterName));
    this.locator = new LeaderLocator(zk, "/fuxi");
  }

  Optional<String> get() {
    try {
      return locator.leader();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  List<String> participants() {
    return locator.participants();
  }

  @Override
  public void close() {
    locator.close();
    zk.close();
  }
}
