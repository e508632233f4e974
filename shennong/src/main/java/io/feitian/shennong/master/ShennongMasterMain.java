package io.feitian.shennong.master;

import io.feitian.common.grpc.Advertised;
import io.feitian.common.lifecycle.DaemonLauncher;
import io.feitian.common.zk.ZkSettings;

/** {@code shennong-master [--config FILE] [--set key=value]... [--print-config]} */
public final class ShennongMasterMain {
  private ShennongMasterMain() {}

  public static void main(String[] args) {
    DaemonLauncher.run("shennong-master", "shennong.master", args, ShennongMaster::new, config -> {
      MasterSettings s = MasterSettings.from(config);
      Advertised a = s.advertised(s.port(), ZkSettings.from(config).connect());
      return a.comment();
    });
  }
}
