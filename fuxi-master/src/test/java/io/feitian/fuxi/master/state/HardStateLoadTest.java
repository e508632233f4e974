package io.feitian.fuxi.master.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.AppState;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A new leader's load of hard state: complete, in order, and loud about corrupt records. */
class HardStateLoadTest {
  TestingServer server;
  CuratorFramework zk;
  HardState hard;

  @BeforeEach
  void start() throws Exception {
    server = new TestingServer(true);
    zk = CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100));
    zk.start();
    hard = new HardState(zk, () -> {
      throw new AssertionError("loading must not write");
    });
  }

  @AfterEach
  void stop() throws Exception {
    zk.close();
    server.close();
  }

  private void store(String id) throws Exception {
    zk.create().creatingParentsIfNeeded().forPath(HardState.APPS + "/" + id,
        AppInfo.newBuilder().setAppId(id).setState(AppState.APP_STATE_RUNNING).build().toByteArray());
  }

  @Test
  void loadsEveryApplicationInOrderWithManyMoreThanTheReadWindow() throws Exception {
    int count = 1_000; // several times the reads kept in flight
    for (int i = 0; i < count; i++) {
      store(String.format("app-%05d", i));
    }
    List<AppInfo> apps = hard.loadApps();
    assertThat(apps).hasSize(count);
    assertThat(apps).extracting(AppInfo::getAppId).isSorted().doesNotHaveDuplicates();
    assertThat(apps.get(count - 1).getAppId()).isEqualTo(String.format("app-%05d", count - 1));
  }

  @Test
  void nothingStoredLoadsAsEmpty() {
    assertThat(hard.loadApps()).isEmpty();
    assertThat(hard.loadQuotas()).isEmpty();
    assertThat(hard.loadBlacklist()).isEmpty();
  }

  @Test
  void aCorruptRecordIsNamed() throws Exception {
    store("app-1");
    zk.create().forPath(HardState.APPS + "/app-2", new byte[] {(byte) 0xff, 0x01, 0x02});
    assertThatThrownBy(hard::loadApps).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("corrupt record /fuxi/apps/app-2");
  }
}
