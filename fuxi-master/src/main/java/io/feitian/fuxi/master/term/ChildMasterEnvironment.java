package io.feitian.fuxi.master.term;

import java.util.Map;

/**
 * Environment a child master starts with, so it can find the cluster:
 * FEITIAN_ZK, FEITIAN_CLUSTER and, when configured, FEITIAN_TOKEN. The
 * application's own id is added per launch (FEITIAN_APP_ID).
 */
public record ChildMasterEnvironment(Map<String, String> env) {
  public ChildMasterEnvironment {
    env = Map.copyOf(env);
  }
}
