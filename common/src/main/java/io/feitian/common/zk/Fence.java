package io.feitian.common.zk;

import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;

/**
 * Writes of hard state that succeed only while the epoch znode still holds
 * the version this leader's term wrote: each write is a ZooKeeper
 * transaction of a version check on the epoch plus the write itself.
 */
public final class Fence {
  private final CuratorFramework zk;
  private final String epochPath;
  private final int epochVersion;
  private final long epoch;

  Fence(CuratorFramework zk, String epochPath, int epochVersion, long epoch) {
    this.zk = zk;
    this.epochPath = epochPath;
    this.epochVersion = epochVersion;
    this.epoch = epoch;
  }

  public long epoch() {
    return epoch;
  }

  /** Creates or replaces the node's data. */
  public void put(String path, byte[] data) {
    try {
      boolean exists = zk.checkExists().forPath(path) != null;
      if (!exists) {
        ensureParent(path);
      }
      CuratorOp write = exists
          ? zk.transactionOp().setData().forPath(path, data)
          : zk.transactionOp().create().forPath(path, data);
      commit(write);
    } catch (FencedOutException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  /** Creates a persistent sequential node under the prefix; returns its full path. */
  public String createSequential(String prefix) {
    try {
      ensureParent(prefix);
      CuratorOp create = zk.transactionOp().create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).forPath(prefix);
      List<CuratorTransactionResult> results = commit(create);
      return results.get(1).getResultPath();
    } catch (FencedOutException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot create " + prefix + ": " + e.getMessage(), e);
    }
  }

  /** Deletes the node if it exists. */
  public void delete(String path) {
    try {
      if (zk.checkExists().forPath(path) == null) {
        return;
      }
      commit(zk.transactionOp().delete().forPath(path));
    } catch (FencedOutException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot delete " + path + ": " + e.getMessage(), e);
    }
  }

  private void ensureParent(String path) throws Exception {
    int slash = path.lastIndexOf('/');
    if (slash > 0) {
      String parent = path.substring(0, slash);
      if (zk.checkExists().forPath(parent) == null) {
        try {
          zk.create().creatingParentsIfNeeded().forPath(parent);
        } catch (KeeperException.NodeExistsException raced) {
          // fine
        }
      }
    }
  }

  private List<CuratorTransactionResult> commit(CuratorOp write) throws Exception {
    List<CuratorOp> ops = new ArrayList<>();
    ops.add(zk.transactionOp().check().withVersion(epochVersion).forPath(epochPath));
    ops.add(write);
    try {
      return zk.transaction().forOperations(ops);
    } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
      if (isEpochMoved()) {
        throw new FencedOutException("epoch " + epoch + " has been superseded; write refused", e);
      }
      throw e;
    }
  }

  private boolean isEpochMoved() throws Exception {
    var stat = zk.checkExists().forPath(epochPath);
    return stat == null || stat.getVersion() != epochVersion;
  }
}
