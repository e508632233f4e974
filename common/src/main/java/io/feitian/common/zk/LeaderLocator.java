package io.feitian.common.zk;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;

/**
 * Who leads (and who stands by), read from the latch znodes of a
 * {@link LeaderElection} without taking part in it: what clients and
 * task-workers use to find the leader.
 *
 * <p>The latch is watched, not polled: a copy kept current by a ZooKeeper
 * watch answers every question from memory. In a failover thousands of
 * nodes and application masters look for the new leader many times a
 * second; reading the latch from ZooKeeper for each of them would load
 * ZooKeeper just when the new leader needs it to read the hard state.
 */
public final class LeaderLocator implements AutoCloseable {
  private final CuratorFramework zk;
  private final String latchPath;
  private final CuratorCache latch;
  private final CountDownLatch loaded = new CountDownLatch(1);

  /** Starts watching the latch of the election at {@code basePath}. */
  public LeaderLocator(CuratorFramework zk, String basePath) {
    this.zk = zk;
    this.latchPath = LeaderElection.latchPath(basePath);
    this.latch = CuratorCache.build(zk, latchPath);
    latch.listenable().addListener(CuratorCacheListener.builder().forInitialized(loaded::countDown).build());
    latch.start();
  }

  /**
   * Calls {@code listener} whenever the latch changes (a participant joins or leaves, so the
   * leader may have changed), on Curator's thread: it must not block.
   */
  public void onChange(Runnable listener) {
    latch.listenable().addListener(CuratorCacheListener.builder().forAll((type, before, after) -> listener.run())
        .build());
  }

  /**
   * Participant ids in latch order (the first is the leader), as last seen;
   * read from ZooKeeper itself until the watched copy is first loaded (a
   * one-shot command asks right after it connected).
   */
  public List<String> participants() {
    List<ChildData> children = loaded.getCount() > 0 ? read()
        : latch.stream().filter(c -> latchPath.equals(ZKPaths.getPathAndNode(c.getPath()).getPath())).toList();
    List<ChildData> sorted = new ArrayList<>(children);
    // Latch nodes end in a ZooKeeper sequence number; the lowest leads.
    sorted.sort(Comparator.comparing(c -> sequence(c.getPath())));
    List<String> ids = new ArrayList<>();
    for (ChildData c : sorted) {
      if (c.getData() != null && c.getData().length > 0) {
        ids.add(new String(c.getData(), StandardCharsets.UTF_8));
      }
    }
    return ids;
  }

  /** The latch's children read from ZooKeeper itself. */
  private List<ChildData> read() {
    List<String> names;
    try {
      names = zk.getChildren().forPath(latchPath);
    } catch (KeeperException.NoNodeException e) {
      return List.of();
    } catch (Exception e) {
      throw new IllegalStateException("cannot read " + latchPath + ": " + e.getMessage(), e);
    }
    List<ChildData> children = new ArrayList<>();
    for (String name : names) {
      String path = latchPath + "/" + name;
      try {
        children.add(new ChildData(path, null, zk.getData().forPath(path)));
      } catch (KeeperException.NoNodeException gone) {
        // participant left while we read
      } catch (Exception e) {
        throw new IllegalStateException("cannot read " + path + ": " + e.getMessage(), e);
      }
    }
    return children;
  }

  public Optional<String> leader() {
    List<String> ids = participants();
    return ids.isEmpty() ? Optional.empty() : Optional.of(ids.get(0));
  }

  private static String sequence(String path) {
    int dash = path.lastIndexOf('-');
    return dash < 0 ? path : path.substring(dash + 1);
  }

  @Override
  public void close() {
    latch.close();
  }
}
