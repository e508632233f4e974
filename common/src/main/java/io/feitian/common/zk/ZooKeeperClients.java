package io.feitian.common.zk;

import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts Curator clients the same way in every daemon. */
public final class ZooKeeperClients {
  private static final Logger log = LoggerFactory.getLogger(ZooKeeperClients.class);

  private ZooKeeperClients() {}

  /**
   * A started client under the cluster's namespace, connected, or an
   * exception naming the connect string if ZooKeeper cannot be reached in
   * time. Session states are logged; components that depend on the session
   * (elections, ephemeral nodes) handle SUSPENDED and LOST themselves.
   */
  public static CuratorFramework start(ZkSettings settings) {
    CuratorFramework client = CuratorFrameworkFactory.builder()
        .connectString(settings.connect())
        .sessionTimeoutMs((int) settings.sessionTimeout().toMillis())
        // Curator warns when the connection timeout exceeds the session's; it could never be used.
        .connectionTimeoutMs((int) Math.min(settings.connectionTimeout().toMillis(), settings.sessionTimeout().toMillis()))
        .retryPolicy(new ExponentialBackoffRetry(200, 10, 2000))
        .namespace(settings.namespace())
        .build();
    client.getConnectionStateListenable().addListener((c, state) -> logState(settings, state));
    client.start();
    try {
      if (!client.blockUntilConnected((int) settings.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        client.close();
        throw new IllegalStateException("cannot reach ZooKeeper at " + settings.connect()
            + " within " + settings.connectionTimeout().toMillis() + " ms");
      }
    } catch (InterruptedException e) {
      client.close();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while connecting to ZooKeeper", e);
    }
    return client;
  }

  private static void logState(ZkSettings settings, ConnectionState state) {
    switch (state) {
      case CONNECTED, RECONNECTED -> log.info("ZooKeeper {}: {}", settings.connect(), state);
      case SUSPENDED -> log.warn("ZooKeeper {}: connection SUSPENDED; session may expire", settings.connect());
      case LOST -> log.error("ZooKeeper {}: session LOST", settings.connect());
      case READ_ONLY -> log.warn("ZooKeeper {}: READ_ONLY", settings.connect());
    }
  }
}
