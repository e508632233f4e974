package io.feitian.dayu.p2p;

import io.feitian.testkit.PureCore;
import org.junit.jupiter.api.Test;

/** The peer-to-peer cores are plain logic: no RPC, database, threads, clock or I/O. */
class P2pArchitectureTest {
  @Test
  void theCoresArePure() {
    PureCore.check("io.feitian.dayu.p2p", "PiecePicker",
        "the picker, the tracker and the manifest decide; the agent's fetcher and the server's services do the I/O",
        "io.feitian.proto..", "java.io..", "java.nio..", "java.net..", "java.sql..", "io.feitian.dayu.db..");
  }
}
