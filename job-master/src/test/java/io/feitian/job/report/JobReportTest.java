package io.feitian.job.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.client.shennong.DaemonReport;
import io.feitian.job.plan.JobRun.AttemptFailure;
import io.feitian.proto.job.v1.JobState;
import io.feitian.proto.job.v1.JobStatus;
import io.feitian.proto.job.v1.TaskStatus;
import io.feitian.proto.shennong.v1.Severity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The job's report from scripted views: every figure and event, once each, counters never going back. */
class JobReportTest {
  private final JobReport report = new JobReport();
  private final List<AttemptFailure> failures = new ArrayList<>();

  private static TaskStatus.Builder task(String name, int instances) {
    return TaskStatus.newBuilder().setName(name).setInstances(instances);
  }

  private static JobStatus job(JobState state, TaskStatus.Builder... tasks) {
    JobStatus.Builder s = JobStatus.newBuilder().setJobId("app-7").setName("wordcount").setState(state)
        .setStartedAtMs(1_000);
    for (TaskStatus.Builder t : tasks) {
      s.addTasks(t);
    }
    return s.build();
  }

  private DaemonReport next(JobStatus status) {
    return report.next(new JobReport.View(status, failures));
  }

  private void fail(String task, int instance, int attempt, String node, String reason) {
    failures.add(new AttemptFailure(failures.size() + 1, task, instance, attempt, node, reason));
  }

  @Test
  void instancesByStateAndTheTotalsArePerTask() {
    DaemonReport r = next(job(JobState.JOB_STATE_RUNNING,
        task("map", 10).setPending(3).setRunning(4).setDone(2).setFailed(1).setFailedAttempts(5).setBackups(2)
            .addBlacklistedNodes("n3"),
        task("reduce", 2)));
    assertThat(r.value("job.instances", "task", "map", "state", "waiting")).hasValue(3);
    assertThat(r.value("job.instances", "task", "map", "state", "running")).hasValue(4);
    assertThat(r.value("job.instances", "task", "map", "state", "done")).hasValue(2);
    assertThat(r.value("job.instances", "task", "map", "state", "failed")).hasValue(1);
    assertThat(r.value("job.attempts.failed", "task", "map")).hasValue(5);
    assertThat(r.value("job.backups.started", "task", "map")).hasValue(2);
    assertThat(r.value("job.task.blacklisted.nodes", "task", "map")).hasValue(1);
    assertThat(r.value("job.instances", "task", "reduce", "state", "waiting")).as("a task not started yet waits")
        .hasValue(2);
    assertThat(r.value("job.instances", "task", "reduce", "state", "running")).hasValue(0);
    assertThat(r.value("job.blacklisted.nodes")).hasValue(0);
    assertThat(r.figures()).filteredOn(f -> f.kind() == DaemonReport.Kind.COUNTER)
        .extracting(DaemonReport.Figure::name).containsOnly("job.attempts.failed", "job.backups.started");
  }

  @Test
  void failedAttemptsAreEventsOnceEachWithTaskInstanceNodeAndReason() {
    fail("map", 3, 0, "n1", "exit code 1");
    DaemonReport first = next(job(JobState.JOB_STATE_RUNNING, task("map", 4).setFailedAttempts(1)));
    assertThat(first.events()).singleElement().satisfies(e -> {
      assertThat(e.name()).isEqualTo("job.instance.failed");
      assertThat(e.severity()).isEqualTo(Severity.SEVERITY_WARNING);
      assertThat(e.labels()).containsExactlyInAnyOrderEntriesOf(Map.of("task", "map", "instance", "3", "attempt", "0",
          "node", "n1", "reason", "exit code 1"));
      assertThat(e.message()).isEqualTo("map[3] attempt 0 failed on n1: exit code 1");
    });
    assertThat(next(job(JobState.JOB_STATE_RUNNING, task("map", 4).setFailedAttempts(1))).events())
        .as("nothing changed, nothing new").isEmpty();
    fail("map", 3, 1, "n2", "x".repeat(5000));
    fail("map", 0, 0, "n2", "killed");
    assertThat(next(job(JobState.JOB_STATE_RUNNING, task("map", 4).setFailedAttempts(3))).events())
        .extracting(e -> e.labels().get("attempt") + "@" + e.labels().get("node"))
        .containsExactly("1@n2", "0@n2");
  }

  @Test
  void longReasonsAreCutToWhatTheAgentTakes() {
    fail("map", 1, 0, "n1", "é".repeat(5000));
    DaemonReport.Event e = next(job(JobState.JOB_STATE_RUNNING, task("map", 2))).events().get(0);
    assertThat(e.labels().get("reason")).hasSize(DaemonReport.MAX_LABEL_CHARS);
    assertThat(e.message()).hasSize(DaemonReport.MAX_MESSAGE_CHARS);
    assertThat(e.message().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096);
  }

  @Test
  void onlyTheLatestFailuresAViewCarriesAreReportedAfterAGap() {
    failures.add(new AttemptFailure(1, "map", 0, 0, "n1", "a"));
    next(job(JobState.JOB_STATE_RUNNING, task("map", 9)));
    failures.clear();
    // A view holds only the most recent failures: 2..4 fell out of it; 5 is new.
    failures.add(new AttemptFailure(5, "map", 4, 0, "n1", "b"));
    assertThat(next(job(JobState.JOB_STATE_RUNNING, task("map", 9))).events())
        .extracting(e -> e.labels().get("instance")).containsExactly("4");
  }

  @Test
  void machinesBlacklistedForATaskOrTheJobAreEventsOnce() {
    next(job(JobState.JOB_STATE_RUNNING, task("map", 4), task("sort", 4)));
    JobStatus both = job(JobState.JOB_STATE_RUNNING, task("map", 4).addBlacklistedNodes("n3"),
        task("sort", 4).addBlacklistedNodes("n3")).toBuilder().addBlacklistedNodes("n3").build();
    DaemonReport r = next(both);
    assertThat(r.events()).extracting(DaemonReport.Event::name).containsOnly("job.node.blacklisted");
    assertThat(r.events()).extracting(DaemonReport.Event::labels).containsExactlyInAnyOrder(
        Map.of("task", "map", "node", "n3"), Map.of("task", "sort", "node", "n3"), Map.of("node", "n3"));
    assertThat(r.value("job.blacklisted.nodes")).hasValue(1);
    assertThat(next(both).events()).isEmpty();
  }

  @Test
  void theJobsEndIsReportedOnceWhicheverWayItEnds() {
    Map<JobState, String> names = Map.of(JobState.JOB_STATE_SUCCEEDED, "job.finished",
        JobState.JOB_STATE_FAILED, "job.failed", JobState.JOB_STATE_KILLED, "job.killed");
    Map<JobState, Severity> severities = Map.of(JobState.JOB_STATE_SUCCEEDED, Severity.SEVERITY_INFO,
        JobState.JOB_STATE_FAILED, Severity.SEVERITY_ERROR, JobState.JOB_STATE_KILLED, Severity.SEVERITY_WARNING);
    for (JobState end : names.keySet()) {
      JobReport fresh = new JobReport();
      assertThat(fresh.next(new JobReport.View(job(JobState.JOB_STATE_RUNNING, task("map", 1)), List.of())).events())
          .isEmpty();
      JobStatus ended = job(end, task("map", 1).setDone(1)).toBuilder().setEndedAtMs(4_500).setMessage("why").build();
      DaemonReport r = fresh.next(new JobReport.View(ended, List.of()));
      assertThat(r.events()).singleElement().satisfies(e -> {
        assertThat(e.name()).isEqualTo(names.get(end));
        assertThat(e.severity()).isEqualTo(severities.get(end));
        assertThat(e.message()).contains("wordcount (app-7)").contains("after 3500 ms");
      });
      assertThat(fresh.next(new JobReport.View(ended, List.of())).events()).as("an end is reported once").isEmpty();
    }
  }

  @Test
  void aScriptedRunKeepsItsCountersMonotonicAndReportsEachChangeOnce() {
    List<JobStatus> script = List.of(
        job(JobState.JOB_STATE_RUNNING, task("map", 3).setPending(3), task("reduce", 1)),
        job(JobState.JOB_STATE_RUNNING, task("map", 3).setRunning(3), task("reduce", 1)),
        job(JobState.JOB_STATE_RUNNING, task("map", 3).setRunning(3).setFailedAttempts(1), task("reduce", 1)),
        job(JobState.JOB_STATE_RUNNING, task("map", 3).setRunning(3).setFailedAttempts(1).setBackups(1),
            task("reduce", 1)),
        job(JobState.JOB_STATE_RUNNING, task("map", 3).setDone(3).setFailedAttempts(1).setBackups(1),
            task("reduce", 1).setRunning(1)),
        job(JobState.JOB_STATE_SUCCEEDED, task("map", 3).setDone(3).setFailedAttempts(1).setBackups(1),
            task("reduce", 1).setDone(1)));
    Map<String, Double> counters = new HashMap<>();
    List<String> events = new ArrayList<>();
    for (int step = 0; step < script.size(); step++) {
      if (step == 2) {
        fail("map", 1, 0, "n2", "exit code 3");
      }
      for (int again = 0; again < 2; again++) {
        DaemonReport r = next(script.get(step));
        r.events().forEach(e -> events.add(e.name()));
        for (DaemonReport.Figure f : r.figures()) {
          if (f.kind() == DaemonReport.Kind.COUNTER) {
            String key = f.name() + f.labels();
            assertThat(f.value()).as(key).isGreaterThanOrEqualTo(counters.getOrDefault(key, 0.0));
            counters.put(key, f.value());
          }
        }
        int instances = (int) r.figures().stream().filter(f -> f.name().equals("job.instances")
            && f.labels().get("task").equals("map")).mapToDouble(DaemonReport.Figure::value).sum();
        assertThat(instances).as("each instance in one state").isEqualTo(3);
      }
    }
    assertThat(events).containsExactly("job.instance.failed", "job.finished");
    assertThat(counters).containsEntry("job.attempts.failed{task=map}", 1.0)
        .containsEntry("job.backups.started{task=map}", 1.0);
  }
}
