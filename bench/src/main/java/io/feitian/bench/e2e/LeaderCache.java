package io.feitian.bench.e2e;

import io.feitian.common.zk.LeaderLocator;
import io.feitian.common.zk.ZkSettings;
import io.feitian.common.zk.ZooKeeperClients;
import java.time.Duration;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;

/**
 * Who leads, as ZooKeeper's latch says, read at most every {@code ttl}: a
 * thousand simulated nodes looking for the leader at once share one read, as
 * a thousand real task-workers (each with its own ZooKeeper session) would
 * not need to.
 */
final class LeaderCache implements AutoCloseable {
  private final CuratorFramework zk;
  private final LeaderLocator locator;
  private final long ttlNanos;
  private String leader;
  private long readAt;

  LeaderCache(String connect, String clusterName, Duration ttl) {
    this.zk = ZooKeeperClients.start(new ZkSettings(connect, Duration.ofSeconds(10), Duration.ofSeconds(10),
        "feitian/" + clusterName));
    this.locator = new LeaderLocator(zk, "/fuxi");
    this.ttlNanos = ttl.toNanos();
  }

  synchronized Optional<String> get() {
    long now = System.nanoTime();
    if (now - readAt > ttlNanos) {
      try {
        leader = locator.leader().orElse(null);
      } catch (RuntimeException e) {
        leader = null;
      }
      readAt = System.nanoTime();
    }
    return Optional.ofNullable(leader);
  }

  java.util.List<String> participants() {
    return locator.participants();
  }

  @Override
  public void close() {
    zk.close();
  }
}
