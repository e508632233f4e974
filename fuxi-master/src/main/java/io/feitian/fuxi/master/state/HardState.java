package io.feitian.fuxi.master.state;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.feitian.common.zk.Fence;
import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.BlacklistEntry;
import io.feitian.proto.fuxi.v1.DrainEntry;
import io.feitian.proto.fuxi.v1.QuotaGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * Fuxi's hard state in ZooKeeper: applications (with their description and
 * lifecycle), quota groups, the cluster blacklist and node drains. Everything a new leader
 * needs that task-workers and application masters cannot tell it. Writes go
 * through the leader's {@link Fence}, so a deposed leader cannot write.
 *
 * <pre>
 *   /fuxi/apps/&lt;app-id&gt;      AppInfo
 *   /fuxi/app-seq/app-NNNN     sequence nodes that number applications
 *   /fuxi/quotas/&lt;name&gt;      QuotaGroup (in_use unset)
 *   /fuxi/blacklist/&lt;node&gt;   BlacklistEntry
 *   /fuxi/draining/&lt;node&gt;    DrainEntry
 * </pre>
 */
public final class HardState {
  static final String APPS = "/fuxi/apps";
  static final String APP_SEQ = "/fuxi/app-seq";
  static final String QUOTAS = "/fuxi/quotas";
  static final String BLACKLIST = "/fuxi/blacklist";
  static final String DRAINING = "/fuxi/draining";

  private static final int READS_IN_FLIGHT = 256;
  private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(30);

  private final CuratorFramework zk;
  private final Supplier<Fence> fence;

  public HardState(CuratorFramework zk, Supplier<Fence> fence) {
    this.zk = zk;
    this.fence = fence;
  }

  public List<AppInfo> loadApps() {
    return loadAll(APPS, AppInfo.parser());
  }

  public List<QuotaGroup> loadQuotas() {
    return loadAll(QUOTAS, QuotaGroup.parser());
  }

  public List<BlacklistEntry> loadBlacklist() {
    return loadAll(BLACKLIST, BlacklistEntry.parser());
  }

  public List<DrainEntry> loadDrains() {
    return loadAll(DRAINING, DrainEntry.parser());
  }

  /** A new application id, unique for the life of the cluster. */
  public String nextAppId() {
    String seqNode = fence.get().createSequential(APP_SEQ + "/app-");
    String digits = seqNode.substring(seqNode.lastIndexOf('-') + 1);
    return "app-" + Long.parseLong(digits);
  }

  public void putApp(AppInfo app) {
    fence.get().put(APPS + "/" + app.getAppId(), app.toByteArray());
  }

  public void deleteApp(String appId) {
    fence.get().delete(APPS + "/" + appId);
  }

  public void putQuota(QuotaGroup quota) {
    fence.get().put(QUOTAS + "/" + quota.getName(), quota.toBuilder().clearInUse().build().toByteArray());
  }

  public void deleteQuota(String name) {
    fence.get().delete(QUOTAS + "/" + name);
  }

  public void putBlacklist(BlacklistEntry entry) {
    fence.get().put(BLACKLIST + "/" + entry.getNodeId(), entry.toByteArray());
  }

  public void deleteBlacklist(String nodeId) {
    fence.get().delete(BLACKLIST + "/" + nodeId);
  }

  public void putDrain(DrainEntry entry) {
    fence.get().put(DRAINING + "/" + entry.getNodeId(), entry.toByteArray());
  }

  public void deleteDrain(String nodeId) {
    fence.get().delete(DRAINING + "/" + nodeId);
  }

  /**
   * Reads every record under a directory. The reads go out together (at most
   * {@link #READS_IN_FLIGHT} at a time) rather than one round trip after
   * another: a new leader loads thousands of applications while every
   * node and master of the cluster is knocking on ZooKeeper too.
   */
  private <T extends Message> List<T> loadAll(String dir, Parser<T> parser) {
    List<String> children;
    try {
      children = zk.getChildren().forPath(dir);
    } catch (KeeperException.NoNodeException e) {
      return new ArrayList<>();
    } catch (Exception e) {
      throw new IllegalStateException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    children.sort(null);
    Semaphore window = new Semaphore(READS_IN_FLIGHT);
    List<CompletableFuture<Optional<T>>> reads = new ArrayList<>();
    try {
      for (String child : children) {
        if (!window.tryAcquire(LOAD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException("reading " + dir + " from ZooKeeper timed out");
        }
        reads.add(read(dir + "/" + child, parser, window));
      }
      List<T> out = new ArrayList<>();
      for (CompletableFuture<Optional<T>> r : reads) {
        r.get(LOAD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).ifPresent(out::add);
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading " + dir, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("reading " + dir + " from ZooKeeper timed out", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    }
  }

  /** One asynchronous read; empty if the record was deleted meanwhile. Releases a permit when answered. */
  private <T extends Message> CompletableFuture<Optional<T>> read(String path, Parser<T> parser, Semaphore window) {
    CompletableFuture<Optional<T>> result = new CompletableFuture<>();
    try {
      zk.getData().inBackground((client, event) -> {
        window.release();
        KeeperException.Code rc = KeeperException.Code.get(event.getResultCode());
        if (rc == KeeperException.Code.NONODE) {
          result.complete(Optional.empty());
        } else if (rc != KeeperException.Code.OK) {
          result.completeExceptionally(new IllegalStateException("cannot read " + path + ": " + rc));
        } else {
          try {
            result.complete(Optional.of(parser.parseFrom(event.getData())));
          } catch (InvalidProtocolBufferException e) {
            result.completeExceptionally(new IllegalStateException("corrupt record " + path + ": " + e.getMessage(), e));
          }
        }
      }).forPath(path);
    } catch (Exception e) {
      window.release();
      result.completeExceptionally(new IllegalStateException("cannot read " + path + ": " + e.getMessage(), e));
    }
    return result;
  }
}
