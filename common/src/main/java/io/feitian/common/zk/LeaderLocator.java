package io.feitian.common.zk;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * Reads who leads (and who stands by) from the latch znodes of a
 * {@link LeaderElection}, without taking part in it: what clients and
 * task-workers use to find the leader.
 */
public final class LeaderLocator {
  private final CuratorFramework zk;
  private final String latchPath;

  public LeaderLocator(CuratorFramework zk, String basePath) {
    this.zk = zk;
    this.latchPath = LeaderElection.latchPath(basePath);
  }

  /** Participant ids in latch order: the first is the leader. */
  public List<String> participants() {
    List<String> children;
    try {
      children = new ArrayList<>(zk.getChildren().forPath(latchPath));
    } catch (KeeperException.NoNodeException e) {
      return List.of();
    } catch (Exception e) {
      throw new IllegalStateException("cannot read " + latchPath + ": " + e.getMessage(), e);
    }
    // Latch nodes end in a ZooKeeper sequence number; the lowest leads.
    children.sort(Comparator.comparing(LeaderLocator::sequence));
    List<String> ids = new ArrayList<>();
    for (String child : children) {
      try {
        ids.add(new String(zk.getData().forPath(latchPath + "/" + child), StandardCharsets.UTF_8));
      } catch (KeeperException.NoNodeException gone) {
        // participant left while we read
      } catch (Exception e) {
        throw new IllegalStateException("cannot read " + latchPath + "/" + child + ": " + e.getMessage(), e);
      }
    }
    return ids;
  }

  public Optional<String> leader() {
    List<String> ids = participants();
    return ids.isEmpty() ? Optional.empty() : Optional.of(ids.get(0));
  }

  private static String sequence(String child) {
    int dash = child.lastIndexOf('-');
    return dash < 0 ? child : child.substring(dash + 1);
  }
}
