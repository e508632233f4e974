package io.feitian.service.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.client.shennong.DaemonReport;
import io.feitian.proto.service.v1.PartitionRecord;
import io.feitian.proto.service.v1.PartitionState;
import io.feitian.proto.service.v1.RoleStatus;
import io.feitian.proto.service.v1.ServiceStatus;
import io.feitian.proto.service.v1.WorkerInfo;
import io.feitian.proto.shennong.v1.Severity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The service's report from scripted views: every figure and event, once each, counters never going back. */
class ServiceReportTest {
  private final ServiceReport report = new ServiceReport();

  private static PartitionRecord part(String id, String start, String end, String owner, PartitionState state) {
    return PartitionRecord.newBuilder().setId(id).setStart(start).setEnd(end).setOwner(owner).setState(state).build();
  }

  private static PartitionRecord serving(String id, String start, String end, String owner) {
    return part(id, start, end, owner, PartitionState.PARTITION_STATE_SERVING);
  }

  private static WorkerInfo worker(String id, String node, boolean lost) {
    return WorkerInfo.newBuilder().setWorkerId(id).setRole("kv").setNodeId(node).setLost(lost).build();
  }

  /** A service of role "kv" wanting {@code wanted} workers; running counts those not lost. */
  private static ServiceStatus view(int wanted, List<WorkerInfo> workers, PartitionRecord... partitions) {
    int running = (int) workers.stream().filter(w -> !w.getLost()).count();
    return ServiceStatus.newBuilder().setAppId("app-3").setName("kv")
        .addRoles(RoleStatus.newBuilder().setName("kv").setWanted(wanted).setRunning(running))
        .addAllWorkers(workers).addAllPartitions(List.of(partitions)).build();
  }

  private static List<String> names(DaemonReport r) {
    return r.events().stream().map(DaemonReport.Event::name).toList();
  }

  @Test
  void partitionsByStateAndWorkersByRoleAndState() {
    DaemonReport r = report.next(view(3, List.of(worker("w1", "n1", false), worker("w2", "n2", true)),
        serving("p1", "", "m", "w1"), part("p2", "m", "", "w1", PartitionState.PARTITION_STATE_LOADING),
        part("p3", "x", "", "", PartitionState.PARTITION_STATE_UNASSIGNED)));
    assertThat(r.value("service.partitions", "state", "serving")).hasValue(1);
    assertThat(r.value("service.partitions", "state", "loading")).hasValue(1);
    assertThat(r.value("service.partitions", "state", "unassigned")).hasValue(1);
    assertThat(r.value("service.partitions", "state", "unloading")).as("every state, also when none").hasValue(0);
    assertThat(r.value("service.partitions", "state", "splitting")).hasValue(0);
    assertThat(r.value("service.workers", "role", "kv", "state", "running")).hasValue(1);
    assertThat(r.value("service.workers", "role", "kv", "state", "lost")).hasValue(1);
    assertThat(r.value("service.workers.wanted", "role", "kv")).hasValue(3);
    assertThat(r.value("service.partition.moves", "kind", "migration")).hasValue(0);
    assertThat(r.value("service.partition.moves", "kind", "split")).hasValue(0);
    assertThat(r.events()).as("the first view is the baseline").isEmpty();
  }

  @Test
  void aPartitionOwnedByAnotherWorkerHasMovedEvenThroughUnassigned() {
    List<WorkerInfo> ws = List.of(worker("w1", "n1", false), worker("w2", "n2", false));
    report.next(view(2, ws, serving("p1", "", "", "w1")));
    assertThat(report.next(view(2, ws, part("p1", "", "", "w1", PartitionState.PARTITION_STATE_UNLOADING)))
        .events()).as("an unload on its way is not a move yet").isEmpty();
    DaemonReport moved = report.next(view(2, ws, part("p1", "", "", "w2", PartitionState.PARTITION_STATE_LOADING)));
    assertThat(moved.events()).singleElement().satisfies(e -> {
      assertThat(e.name()).isEqualTo("service.partition.moved");
      assertThat(e.severity()).isEqualTo(Severity.SEVERITY_INFO);
      assertThat(e.labels()).isEqualTo(Map.of("partition", "p1", "from", "w1", "to", "w2"));
    });
    assertThat(moved.value("service.partition.moves", "kind", "migration")).hasValue(1);
    assertThat(report.next(view(2, ws, serving("p1", "", "", "w2"))).events()).isEmpty();
    report.next(view(2, ws, part("p1", "", "", "", PartitionState.PARTITION_STATE_UNASSIGNED)));
    DaemonReport back = report.next(view(2, ws, serving("p1", "", "", "w1")));
    assertThat(back.events()).extracting(e -> e.labels().get("from") + ">" + e.labels().get("to"))
        .containsExactly("w2>w1");
    assertThat(back.value("service.partition.moves", "kind", "migration")).hasValue(2);
  }

  @Test
  void aPartitionReplacedByPartsOfItsRangeWasSplit() {
    List<WorkerInfo> ws = List.of(worker("w1", "n1", false));
    report.next(view(1, ws, serving("p1", "", "k", "w1"), serving("p2", "k", "", "w1")));
    report.next(view(1, ws, serving("p1", "", "k", "w1"), part("p2", "k", "", "w1",
        PartitionState.PARTITION_STATE_SPLITTING)));
    DaemonReport r = report.next(view(1, ws, serving("p1", "", "k", "w1"),
        part("p3", "k", "r", "w1", PartitionState.PARTITION_STATE_LOADING),
        part("p4", "r", "", "w1", PartitionState.PARTITION_STATE_LOADING)));
    assertThat(r.events()).singleElement().satisfies(e -> {
      assertThat(e.name()).isEqualTo("service.partition.split");
      assertThat(e.labels()).isEqualTo(Map.of("partition", "p2", "into", "p3,p4", "at", "r"));
    });
    assertThat(r.value("service.partition.moves", "kind", "split")).hasValue(1);
    assertThat(r.value("service.partition.moves", "kind", "migration")).as("a split's parts start where it was")
        .hasValue(0);
  }

  @Test
  void aWorkerLostOrEndedIsLostAndItsSuccessorReplacesIt() {
    report.next(view(2, List.of(worker("w1", "n1", false), worker("w2", "n2", false))));
    DaemonReport lost = report.next(view(2, List.of(worker("w1", "n1", true), worker("w2", "n2", false))));
    assertThat(lost.events()).singleElement().satisfies(e -> {
      assertThat(e.name()).isEqualTo("service.worker.lost");
      assertThat(e.severity()).isEqualTo(Severity.SEVERITY_WARNING);
      assertThat(e.labels()).isEqualTo(Map.of("role", "kv", "worker", "w1", "node", "n1"));
    });
    assertThat(names(report.next(view(2, List.of(worker("w2", "n2", false)))))).as("gone after being lost: once")
        .isEmpty();
    DaemonReport replaced = report.next(view(2, List.of(worker("w2", "n2", false), worker("w3", "n3", false))));
    assertThat(replaced.events()).singleElement().satisfies(e -> {
      assertThat(e.name()).isEqualTo("service.worker.replaced");
      assertThat(e.labels()).isEqualTo(Map.of("role", "kv", "worker", "w1", "by", "w3", "node", "n3"));
    });
    // A process that ended is gone at once, without being marked lost first.
    assertThat(names(report.next(view(2, List.of(worker("w3", "n3", false)))))).containsExactly("service.worker.lost");
    assertThat(names(report.next(view(2, List.of(worker("w3", "n3", false), worker("w4", "n1", false))))))
        .containsExactly("service.worker.replaced");
  }

  @Test
  void aWorkerThatComesBackOrGoesWithAScaleInIsNotReplaced() {
    report.next(view(2, List.of(worker("w1", "n1", false), worker("w2", "n2", false))));
    report.next(view(2, List.of(worker("w1", "n1", true), worker("w2", "n2", false))));
    assertThat(report.next(view(2, List.of(worker("w1", "n1", false), worker("w2", "n2", false)))).events())
        .as("back with a new session").isEmpty();
    assertThat(report.next(view(1, List.of(worker("w1", "n1", false)))).events()).as("scaled in").isEmpty();
    assertThat(report.next(view(2, List.of(worker("w1", "n1", false), worker("w5", "n2", false)))).events())
        .as("scaled out again: a new worker, no replacement").isEmpty();
  }

  @Test
  void aScriptedServiceKeepsItsCountersMonotonicAndReportsEachChangeOnce() {
    List<WorkerInfo> ws = List.of(worker("w1", "n1", false), worker("w2", "n2", false));
    List<ServiceStatus> script = List.of(
        view(2, ws, part("p1", "", "", "", PartitionState.PARTITION_STATE_UNASSIGNED)),
        view(2, ws, part("p1", "", "", "w1", PartitionState.PARTITION_STATE_LOADING)),
        view(2, ws, serving("p1", "", "", "w1")),
        view(2, ws, part("p1", "", "", "w1", PartitionState.PARTITION_STATE_SPLITTING)),
        view(2, ws, serving("p2", "", "g", "w1"), serving("p3", "g", "", "w1")),
        view(2, ws, serving("p2", "", "g", "w1"), serving("p3", "g", "", "w2")),
        view(2, List.of(worker("w1", "n1", false), worker("w2", "n2", true)), serving("p2", "", "g", "w1"),
            serving("p3", "g", "", "w2")),
        view(2, List.of(worker("w1", "n1", false)), serving("p2", "", "g", "w1"), serving("p3", "g", "", "w1")),
        view(2, List.of(worker("w1", "n1", false), worker("w6", "n2", false)), serving("p2", "", "g", "w1"),
            serving("p3", "g", "", "w6")));
    Map<String, Double> counters = new HashMap<>();
    List<String> events = new ArrayList<>();
    for (ServiceStatus step : script) {
      for (int again = 0; again < 2; again++) {
        DaemonReport r = report.next(step);
        events.addAll(names(r));
        for (DaemonReport.Figure f : r.figures()) {
          if (f.kind() == DaemonReport.Kind.COUNTER) {
            String key = f.name() + f.labels();
            assertThat(f.value()).as(key).isGreaterThanOrEqualTo(counters.getOrDefault(key, 0.0));
            counters.put(key, f.value());
          }
        }
      }
    }
    assertThat(events).containsExactly("service.partition.split", "service.partition.moved", "service.worker.lost",
        "service.partition.moved", "service.worker.replaced", "service.partition.moved");
    assertThat(counters).containsEntry("service.partition.moves{kind=migration}", 3.0)
        .containsEntry("service.partition.moves{kind=split}", 1.0);
  }
}
