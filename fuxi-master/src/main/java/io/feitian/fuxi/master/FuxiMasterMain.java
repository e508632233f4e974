package io.feitian.fuxi.master;

import io.feitian.common.lifecycle.DaemonLauncher;
import io.feitian.common.zk.ZkSettings;

/** Entry point of the fuxi-master daemon. */
public final class FuxiMasterMain {
  private FuxiMasterMain() {}

  public static void main(String[] args) {
    DaemonLauncher.run("fuxi-master", "fuxi", args, FuxiMaster::new, config -> {
      MasterSettings s = MasterSettings.from(config);
      return s.advertised(s.port(), ZkSettings.from(config).connect()).comment();
    });
  }
}
