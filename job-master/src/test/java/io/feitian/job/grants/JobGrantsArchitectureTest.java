package io.feitian.job.grants;

import io.feitian.testkit.PureCore;
import org.junit.jupiter.api.Test;

/** The grant book is plain logic: no RPC, coordination, threads or clock. */
class JobGrantsArchitectureTest {
  @Test
  void theGrantBookIsAPureCore() {
    PureCore.check("io.feitian.job.grants", "JobGrants",
        "the grant book is a pure object driven by method calls; the job-master does the I/O");
  }
}
