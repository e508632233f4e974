package io.feitian.fuxi.master;

import io.feitian.common.lifecycle.DaemonLauncher;

/** Entry point of the fuxi-master daemon. */
public final class FuxiMasterMain {
  private FuxiMasterMain() {}

  public static void main(String[] args) {
    DaemonLauncher.run("fuxi-master", "fuxi", args, FuxiMaster::new);
  }
}
