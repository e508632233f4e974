package io.feitian.fuxi.master.state;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.feitian.common.zk.Fence;
import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.BlacklistEntry;
import io.feitian.proto.fuxi.v1.QuotaGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * Fuxi's hard state in ZooKeeper: applications (with their description and
 * lifecycle), quota groups and the cluster blacklist. Everything a new leader
 * needs that task-workers and application masters cannot tell it. Writes go
 * through the leader's {@link Fence}, so a deposed leader cannot write.
 *
 * <pre>
 *   /fuxi/apps/&lt;app-id&gt;      AppInfo
 *   /fuxi/app-seq/app-NNNN     sequence nodes that number applications
 *   /fuxi/quotas/&lt;name&gt;      QuotaGroup (in_use unset)
 *   /fuxi/blacklist/&lt;node&gt;   BlacklistEntry
 * </pre>
 */
public final class HardState {
  static final String APPS = "/fuxi/apps";
  static final String APP_SEQ = "/fuxi/app-seq";
  static final String QUOTAS = "/fuxi/quotas";
  static final String BLACKLIST = "/fuxi/blacklist";

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

  /** A new application id, unique for the life of the cluster. */
  public String nextAppId() {
    String seqNode = fence.get().createSequential(APP_SEQ + "/app-");
    String digits = seqNode.substring(seqNode.lastIndexOf('-') + 1);
    return "app-" + Long.parseLong(digits);
  }

  public void putApp(AppInfo app) {
    fence.get().put(APPS + "/" + app.getAppId(), app.toByteArray());
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

  private <T extends Message> List<T> loadAll(String dir, Parser<T> parser) {
    List<T> out = new ArrayList<>();
    List<String> children;
    try {
      children = zk.getChildren().forPath(dir);
    } catch (KeeperException.NoNodeException e) {
      return out;
    } catch (Exception e) {
      throw new IllegalStateException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    children.sort(null);
    for (String child : children) {
      try {
        out.add(parser.parseFrom(zk.getData().forPath(dir + "/" + child)));
      } catch (KeeperException.NoNodeException gone) {
        // deleted while we read: skip
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("corrupt record " + dir + "/" + child + ": " + e.getMessage(), e);
      } catch (Exception e) {
        throw new IllegalStateException("cannot read " + dir + "/" + child + ": " + e.getMessage(), e);
      }
    }
    return out;
  }
}
