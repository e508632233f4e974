package io.feitian.service.report;

import io.feitian.testkit.PureCore;
import org.junit.jupiter.api.Test;

/** The service's report is plain logic: views in, figures and events out. */
class ServiceReportArchitectureTest {
  @Test
  void theReportIsAPureCore() {
    PureCore.check("io.feitian.service.report", "ServiceReport",
        "the report is computed from views; the service-master takes them on its loop and the reporter writes them");
  }
}
