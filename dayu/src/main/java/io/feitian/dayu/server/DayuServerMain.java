package io.feitian.dayu.server;

import io.feitian.common.lifecycle.DaemonLauncher;
import io.feitian.dayu.db.DatabaseSettings;

/** {@code dayu-server [--config FILE] [--set key=value]... [--print-config]} */
public final class DayuServerMain {
  private DayuServerMain() {}

  public static void main(String[] args) {
    DaemonLauncher.run("dayu-server", "dayu", args, DayuServer::new,
        config -> "# database: " + DatabaseSettings.from(config));
  }
}
