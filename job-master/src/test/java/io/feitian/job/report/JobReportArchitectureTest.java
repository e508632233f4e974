package io.feitian.job.report;

import io.feitian.testkit.PureCore;
import org.junit.jupiter.api.Test;

/** The job's report is plain logic: views in, figures and events out. */
class JobReportArchitectureTest {
  @Test
  void theReportIsAPureCore() {
    PureCore.check("io.feitian.job.report", "JobReport",
        "the report is computed from views; the job-master takes them on its loop and the reporter writes them");
  }
}
