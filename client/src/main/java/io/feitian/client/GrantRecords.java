package io.feitian.client;

import com.google.protobuf.InvalidProtocolBufferException;
import io.feitian.proto.fuxi.v1.Grant;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * The grants an application master holds, one znode each under a directory
 * of its application's ({@code <dir>/<grant id>}, the Grant as given), so
 * that a restarted master can claim them with {@link AppMasterSession#holding}
 * and adopt what runs in them instead of having it revoked. A grant missing
 * here (recorded too late, before a crash) is revoked as unclaimed and its
 * work runs again: the records are a help, not a duty.
 */
public final class GrantRecords {
  private final CuratorFramework zk;
  private final String dir;

  public GrantRecords(CuratorFramework zk, String dir) {
    this.zk = zk;
    this.dir = dir;
  }

  /** The grants recorded by this application's masters. */
  public List<Grant> all() throws Exception {
    List<Grant> grants = new ArrayList<>();
    List<String> children;
    try {
      children = zk.getChildren().forPath(dir);
    } catch (KeeperException.NoNodeException e) {
      return grants;
    }
    for (String child : children) {
      try {
        grants.add(Grant.parseFrom(zk.getData().forPath(dir + "/" + child)));
      } catch (KeeperException.NoNodeException ignored) {
        // forgotten meanwhile
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("unreadable grant record " + dir + "/" + child, e);
      }
    }
    return grants;
  }

  /** Records a grant, in the background (a failure only means it is not adopted after a restart). */
  public void record(Grant g) throws Exception {
    zk.create().orSetData().creatingParentContainersIfNeeded().inBackground()
        .forPath(dir + "/" + g.getGrantId(), g.toByteArray());
  }

  /** Forgets a grant returned or revoked, in the background. */
  public void forget(long grantId) throws Exception {
    zk.delete().quietly().inBackground().forPath(dir + "/" + grantId);
  }
}
