package io.feitian.shennong.monitor.service;

import io.feitian.common.grpc.Advertised;
import io.feitian.common.lifecycle.DaemonLauncher;
import io.feitian.common.zk.ZkSettings;

/** {@code monitor-service [--config FILE] [--set key=value]... [--print-config]} */
public final class MonitorServiceMain {
  private MonitorServiceMain() {}

  public static void main(String[] args) {
    DaemonLauncher.run("monitor-service", "shennong.monitor", args, MonitorService::new, config -> {
      MonitorSettings s = MonitorSettings.from(config);
      Advertised a = s.advertised(s.port(), ZkSettings.from(config).connect());
      return a.comment();
    });
  }
}
