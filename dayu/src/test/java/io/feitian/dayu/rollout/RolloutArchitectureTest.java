package io.feitian.dayu.rollout;

import io.feitian.testkit.PureCore;
import org.junit.jupiter.api.Test;

/** The rollout core is plain logic: no RPC, database, threads, clock or I/O. */
class RolloutArchitectureTest {
  @Test
  void theRolloutIsAPureCore() {
    PureCore.check("io.feitian.dayu.rollout", "Rollout",
        "the rollout is a state machine driven by method calls; the server does the I/O and keeps the state",
        "io.feitian.proto..", "java.io..", "java.nio..", "java.net..", "java.sql..", "io.feitian.dayu.db..");
  }
}
