package io.feitian.service.state;

import io.feitian.client.GrantRecords;
import io.feitian.common.zk.FencedOutException;
import io.feitian.proto.service.v1.ServiceState;
import java.util.Arrays;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * A service-master's hard state in ZooKeeper: the ServiceState (one znode,
 * so every change of the table is atomic and clients need one watch) and
 * the grants it holds ({@code /services/<app>/grants/<id>}, so a restarted
 * master claims them, and the workers running in them, from Fuxi).
 *
 * <p>Every write of the state carries the version this master last read or
 * wrote: a second master (its predecessor, not quite dead) fails its next
 * write with {@link FencedOutException} and must stop.
 */
public final class ServiceStore {
  private final CuratorFramework zk;
  private final String appId;
  private final GrantRecords grants;
  private int version = -1;
  private byte[] written = new byte[0];

  public ServiceStore(CuratorFramework zk, String appId) {
    this.zk = zk;
    this.appId = appId;
    this.grants = new GrantRecords(zk, ServicePaths.service(appId) + "/grants");
  }

  /** The state a previous master left, if any. */
  public Optional<ServiceState> load() throws Exception {
    Stat stat = new Stat();
    try {
      byte[] data = zk.getData().storingStatIn(stat).forPath(ServicePaths.state(appId));
      version = stat.getVersion();
      written = data;
      return Optional.of(ServiceState.parseFrom(data));
    } catch (KeeperException.NoNodeException e) {
      return Optional.empty();
    }
  }

  /** Stores the first state of a new service. */
  public void create(ServiceState state) throws Exception {
    byte[] data = state.toByteArray();
    try {
      zk.create().creatingParentContainersIfNeeded().forPath(ServicePaths.state(appId), data);
    } catch (KeeperException.NodeExistsException e) {
      throw new FencedOutException("another service-master created the state of " + appId + " first", e);
    }
    version = 0;
    written = data;
  }

  /** Replaces the state, unless nothing changed; fails if another master wrote since. */
  public void write(ServiceState state) {
    byte[] data = state.toByteArray();
    if (Arrays.equals(data, written)) {
      return;
    }
    try {
      Stat stat = zk.setData().withVersion(version).forPath(ServicePaths.state(appId), data);
      version = stat.getVersion();
      written = data;
    } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
      throw new FencedOutException("the state of " + appId + " was changed by another service-master", e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot write the state of " + appId + ": " + e, e);
    }
  }

  /** The grants this service's masters hold, for a restarted master to claim. */
  public GrantRecords grants() {
    return grants;
  }

  /** The service ended: nothing of it stays in ZooKeeper. */
  public void deleteAll() throws Exception {
    try {
      zk.delete().deletingChildrenIfNeeded().forPath(ServicePaths.service(appId));
    } catch (KeeperException.NoNodeException ignored) {
      // already gone
    }
  }
}
