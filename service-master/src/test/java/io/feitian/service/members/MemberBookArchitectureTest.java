package io.feitian.service.members;

import io.feitian.testkit.PureCore;
import org.junit.jupiter.api.Test;

/** The member book is plain logic: no RPC, coordination, threads, clock or I/O. */
class MemberBookArchitectureTest {
  @Test
  void theMemberBookIsAPureCore() {
    PureCore.check("io.feitian.service.members", "MemberBook",
        "the member book is a plain object driven by method calls; the service-master does the I/O",
        "java.io..", "java.nio..", "java.net..");
  }
}
