package io.feitian.taskworker.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.client.shennong.DaemonReport;
import io.feitian.common.resource.ResourceVector;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.shennong.v1.Severity;
import io.feitian.taskworker.process.ProcessSupervisor;
import io.feitian.taskworker.process.WorkerSnapshot;
import io.feitian.taskworker.process.WorkerState;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** NodeReport driven by scripted views of a node: every figure and event, and nothing twice. */
class NodeReportTest {
  private static WorkerSnapshot worker(String id, String app, String name, WorkerState state, long startedAt) {
    return new WorkerSnapshot(id, app, 7, name, state, 100, OptionalInt.empty(), Path.of("/w", id), startedAt, 0, "");
  }

  private static WorkerSnapshot running(String id, String app, String name, long startedAt) {
    return worker(id, app, name, WorkerState.RUNNING, startedAt);
  }

  private static WorkerSnapshot ended(WorkerSnapshot w, WorkerState state, Integer status, long at, String message) {
    return new WorkerSnapshot(w.workerId(), w.appId(), w.grantId(), w.name(), state, w.pid(),
        status == null ? OptionalInt.empty() : OptionalInt.of(status), w.workDir(), w.startedAtMs(), at, message);
  }

  private static Grant grant(long id, long cpu, long memory) {
    return Grant.newBuilder().setGrantId(id).setShape(Resources.newBuilder().setCpuMillis(cpu).setMemoryMib(memory))
        .build();
  }

  private static NodeReport.View view(WorkerSnapshot... workers) {
    return new NodeReport.View(List.of(workers), List.of(), Optional.of("m1:7100"), 1);
  }

  /** A counter's total since the baseline. */
  private static long count(DaemonReport r, String name, String kind) {
    return (long) r.value(name, "kind", kind).orElseThrow();
  }

  private static double running(DaemonReport r, String kind) {
    return r.value("taskworker.workers.running", "kind", kind).orElseThrow();
  }

  private static double gauge(DaemonReport r, String name) {
    return r.value(name).orElseThrow();
  }

  private static List<Double> counters(DaemonReport r) {
    return r.figures().stream().filter(f -> f.kind() == DaemonReport.Kind.COUNTER).map(DaemonReport.Figure::value)
        .toList();
  }

  private static NodeReport registered() {
    return new NodeReport("n1", ResourceVector.of(4000, 8192), view());
  }

  @Test
  void figuresOfWorkersGrantsAndTheNode() {
    NodeReport report = new NodeReport("n1", ResourceVector.of(4000, 8192),
        new NodeReport.View(List.of(), List.of(), Optional.empty(), 0));
    DaemonReport r = report.next(new NodeReport.View(List.of(running("a.app-master.1", "a", "app-master", 10),
        running("a.task-x.1", "a", "task-x", 11), running("a.task-x.2", "a", "task-x", 12),
        ended(running("a.task-y.1", "a", "task-y", 5), WorkerState.EXITED, 0, 9, "")),
        List.of(grant(1, 100, 64), grant(2, 500, 256)), Optional.of("m1:7100"), 3));
    assertThat(running(r, NodeReport.MASTER)).isEqualTo(1.0);
    assertThat(running(r, NodeReport.WORKER)).isEqualTo(2.0);
    assertThat(gauge(r, "taskworker.grants")).isEqualTo(2.0);
    assertThat(gauge(r, "taskworker.granted.cpu.millis")).isEqualTo(600.0);
    assertThat(gauge(r, "taskworker.granted.memory.mib")).isEqualTo(320.0);
    assertThat(gauge(r, "taskworker.cpu.total.millis")).isEqualTo(4000.0);
    assertThat(gauge(r, "taskworker.memory.total.mib")).isEqualTo(8192.0);
    assertThat(gauge(r, "taskworker.master.connected")).isEqualTo(1.0);
    assertThat(count(r, "taskworker.workers.started", NodeReport.MASTER)).isEqualTo(1);
    assertThat(count(r, "taskworker.workers.started", NodeReport.WORKER)).isEqualTo(3);
    assertThat(count(r, "taskworker.workers.failed", NodeReport.WORKER)).as("exit status 0 is no failure").isZero();
    assertThat(r.events()).singleElement().satisfies(e -> {
      assertThat(e.name()).isEqualTo("taskworker.master.registered");
      assertThat(e.labels()).containsEntry("master", "m1:7100").containsEntry("epoch", "3");
    });
  }

  @Test
  void theBaselineIsNotNews() {
    WorkerSnapshot adopted = running("a.task-x.1", "a", "task-x", 10);
    WorkerSnapshot failedWhileAway = ended(running("a.task-x.0", "a", "task-x", 5), WorkerState.KILLED, null, 8,
        "the worker ended unobserved");
    NodeReport report = new NodeReport("n1", ResourceVector.of(1, 1), view(adopted, failedWhileAway));
    DaemonReport r = report.next(view(adopted, failedWhileAway));
    assertThat(r.events()).isEmpty();
    assertThat(counters(r)).hasSize(6).allMatch(n -> n == 0);
    assertThat(running(r, NodeReport.WORKER)).isEqualTo(1.0);
  }

  @Test
  void aFailureIsCountedAndAnEventOnceWithItsIdsAndExitStatus() {
    NodeReport report = registered();
    WorkerSnapshot w = running("a.task-x.1", "a", "task-x", 10);
    report.next(view(w));
    DaemonReport r = report.next(view(ended(w, WorkerState.EXITED, 3, 20, "")));
    assertThat(count(r, "taskworker.workers.failed", NodeReport.WORKER)).isEqualTo(1);
    assertThat(count(r, "taskworker.workers.started", NodeReport.WORKER)).as("no new start").isEqualTo(1);
    assertThat(running(r, NodeReport.WORKER)).isZero();
    assertThat(r.events()).singleElement().satisfies(e -> {
      assertThat(e.name()).isEqualTo("taskworker.worker.failed");
      assertThat(e.severity()).isEqualTo(Severity.SEVERITY_WARNING);
      assertThat(e.labels()).containsEntry("app", "a").containsEntry("worker", "a.task-x.1")
          .containsEntry("name", "task-x").containsEntry("kind", "worker").containsEntry("exit_status", "3")
          .containsEntry("state", "EXITED");
      assertThat(e.message()).contains("a.task-x.1", "exited with status 3", "node n1");
    });

    DaemonReport again = report.next(view(ended(w, WorkerState.EXITED, 3, 20, "")));
    assertThat(again.events()).as("nothing changed").isEmpty();
    assertThat(counters(again)).isEqualTo(counters(r));
    assertThat(report.next(view()).events()).as("forgotten").isEmpty();
  }

  @Test
  void killsOnRequestAreNoFailuresButOtherKillsAndFailedStartsAre() {
    NodeReport report = registered();
    WorkerSnapshot revoked = running("a.x.1", "a", "x", 1);
    WorkerSnapshot tooBig = running("a.x.2", "a", "x", 1);
    report.next(view(revoked, tooBig));
    DaemonReport r = report.next(view(ended(revoked, WorkerState.KILLED, 143, 5,
        ProcessSupervisor.KILLED_ON_REQUEST), ended(tooBig, WorkerState.KILLED, null, 5,
        "memory limit exceeded: 300 MiB > 256 MiB"), ended(running("a.x.3", "a", "x", 6),
        WorkerState.FAILED_TO_START, null, 6, "no such program: nope")));
    assertThat(count(r, "taskworker.workers.failed", NodeReport.WORKER)).isEqualTo(2);
    List<DaemonReport.Event> failures = r.events().stream().filter(e -> e.name().equals("taskworker.worker.failed"))
        .toList();
    assertThat(failures).extracting(e -> e.labels().get("worker")).containsExactlyInAnyOrder("a.x.2", "a.x.3");
    assertThat(failures).filteredOn(e -> e.labels().get("worker").equals("a.x.2")).singleElement()
        .satisfies(e -> assertThat(e.message()).contains("was killed", "memory limit exceeded"));
    assertThat(count(r, "taskworker.workers.restarted", NodeReport.WORKER)).as("a.x.3 started after a.x.2 failed")
        .isEqualTo(1);
  }

  @Test
  void aWorkerOfTheSameNameStartedAfterOneFailedIsARestart() {
    NodeReport report = registered();
    WorkerSnapshot first = running("a.app-master.1", "a", "app-master", 10);
    report.next(view(first));
    report.next(view(ended(first, WorkerState.EXITED, 1, 20, "")));
    WorkerSnapshot second = running("a.app-master.2", "a", "app-master", 30);
    DaemonReport r = report.next(view(ended(first, WorkerState.EXITED, 1, 20, ""), second));
    assertThat(count(r, "taskworker.workers.started", NodeReport.MASTER)).isEqualTo(2);
    assertThat(count(r, "taskworker.workers.restarted", NodeReport.MASTER)).isEqualTo(1);
    assertThat(r.events()).singleElement().satisfies(e -> {
      assertThat(e.name()).isEqualTo("taskworker.worker.restarted");
      assertThat(e.labels()).containsEntry("worker", "a.app-master.2").containsEntry("replaces", "a.app-master.1")
          .containsEntry("kind", "master");
    });
    assertThat(running(r, NodeReport.MASTER)).isEqualTo(1.0);

    WorkerSnapshot third = running("a.app-master.3", "a", "app-master", 40);
    assertThat(count(report.next(view(second, third)), "taskworker.workers.restarted", NodeReport.MASTER))
        .as("each failure is replaced once").isEqualTo(1);
    WorkerSnapshot otherApp = running("b.app-master.1", "b", "app-master", 50);
    assertThat(count(report.next(view(second, third, otherApp)), "taskworker.workers.restarted", NodeReport.MASTER))
        .as("another application's master replaces nothing").isEqualTo(1);
  }

  @Test
  void withinOneIntervalAStartReplacesOnlyAFailureBeforeIt() {
    NodeReport report = registered();
    // Started, failed at once, and replaced, all between two views; then the replacement failed too.
    WorkerSnapshot first = ended(running("a.x.1", "a", "x", 10), WorkerState.FAILED_TO_START, null, 10, "no program");
    WorkerSnapshot second = ended(running("a.x.2", "a", "x", 11), WorkerState.EXITED, 2, 15, "");
    DaemonReport r = report.next(view(second, first));
    assertThat(count(r, "taskworker.workers.started", NodeReport.WORKER)).isEqualTo(2);
    assertThat(count(r, "taskworker.workers.failed", NodeReport.WORKER)).isEqualTo(2);
    assertThat(count(r, "taskworker.workers.restarted", NodeReport.WORKER)).isEqualTo(1);
    assertThat(r.events()).extracting(DaemonReport.Event::name).containsExactly("taskworker.worker.failed",
        "taskworker.worker.restarted", "taskworker.worker.failed");
  }

  @Test
  void registrationAndLossOfTheMasterAreEventsOnce() {
    NodeReport report = new NodeReport("n1", ResourceVector.of(1, 1), new NodeReport.View(List.of(), List.of(),
        Optional.empty(), 0));
    assertThat(report.next(new NodeReport.View(List.of(), List.of(), Optional.of("m1"), 1)).events())
        .extracting(DaemonReport.Event::name).containsExactly("taskworker.master.registered");
    assertThat(report.next(new NodeReport.View(List.of(), List.of(), Optional.of("m1"), 1)).events()).isEmpty();
    DaemonReport lost = report.next(new NodeReport.View(List.of(), List.of(), Optional.empty(), 1));
    assertThat(lost.events()).singleElement().satisfies(e -> {
      assertThat(e.name()).isEqualTo("taskworker.master.lost");
      assertThat(e.severity()).isEqualTo(Severity.SEVERITY_WARNING);
      assertThat(e.labels()).containsEntry("master", "m1");
    });
    assertThat(gauge(lost, "taskworker.master.connected")).isZero();
    assertThat(report.next(new NodeReport.View(List.of(), List.of(), Optional.empty(), 1)).events()).isEmpty();
    assertThat(report.next(new NodeReport.View(List.of(), List.of(), Optional.of("m2"), 2)).events())
        .singleElement().satisfies(e -> assertThat(e.labels()).containsEntry("master", "m2")
            .containsEntry("epoch", "2"));
  }

  @Test
  void aViewHoldsWorkersForgottenSinceTheLastAndNeverAnOlderState() {
    WorkerSnapshot listedRunning = running("a.x.1", "a", "x", 1);
    WorkerSnapshot nowEnded = ended(listedRunning, WorkerState.EXITED, 1, 5, "");
    WorkerSnapshot forgotten = ended(running("a.x.2", "a", "x", 2), WorkerState.EXITED, 4, 3, "");
    WorkerSnapshot listedEnded = ended(running("a.x.3", "a", "x", 3), WorkerState.EXITED, 0, 4, "");
    List<WorkerSnapshot> merged = NodeReport.withChanges(List.of(listedRunning, listedEnded),
        List.of(nowEnded, forgotten, running("a.x.3", "a", "x", 3)));
    assertThat(merged).containsExactlyInAnyOrder(nowEnded, forgotten, listedEnded);
  }
}
