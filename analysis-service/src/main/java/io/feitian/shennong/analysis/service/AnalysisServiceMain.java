package io.feitian.shennong.analysis.service;

import io.feitian.common.grpc.Advertised;
import io.feitian.common.lifecycle.DaemonLauncher;
import io.feitian.common.zk.ZkSettings;

/** {@code analysis-service [--config FILE] [--set key=value]... [--print-config]} */
public final class AnalysisServiceMain {
  private AnalysisServiceMain() {}

  public static void main(String[] args) {
    DaemonLauncher.run("analysis-service", "shennong.analysis", args, AnalysisService::new, config -> {
      AnalysisServiceSettings s = AnalysisServiceSettings.from(config);
      Advertised a = s.advertised(s.port(), ZkSettings.from(config).connect());
      return a.comment();
    });
  }
}
