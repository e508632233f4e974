package io.feitian.common.config;

import com.typesafe.config.Config;
import java.util.HashMap;
import java.util.Map;

/**
 * The environment an application master gives the workers it starts, so
 * that they find the cluster (and their master's state in it) as the master
 * does: FEITIAN_ZK, FEITIAN_CLUSTER and FEITIAN_ZK_ROOT; reference.conf reads
 * them. Security settings are not among them: the task-worker that starts a
 * process gives it the node's (SecuritySettings#childEnvironment).
 */
public final class ChildEnvironment {
  private ChildEnvironment() {}

  public static Map<String, String> of(Config config) {
    Map<String, String> env = new HashMap<>();
    env.put("FEITIAN_ZK", config.getString("feitian.zookeeper.connect"));
    env.put("FEITIAN_CLUSTER", config.getString("feitian.cluster-name"));
    env.put("FEITIAN_ZK_ROOT", config.getString("feitian.zookeeper.root"));
    return env;
  }
}
