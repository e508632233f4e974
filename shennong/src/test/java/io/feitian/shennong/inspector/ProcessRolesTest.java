package io.feitian.shennong.inspector;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.shennong.inspector.ProcessRoles.ProcessInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessRolesTest {
  private static final String JAVA = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";

  private static ProcessInfo p(long pid, long parent, String... args) {
    return new ProcessInfo(pid, parent, List.of(args));
  }

  private static ProcessInfo wrapper(long pid, long parent) {
    return wrapper(pid, parent, Map.of());
  }

  private static ProcessInfo wrapper(long pid, long parent, Map<String, String> environment) {
    return new ProcessInfo(pid, parent, List.of("/bin/sh", "-c", "trap : HUP INT QUIT TERM\n...", "feitian-launch", "/w/pid", "/w/st.tmp",
        "/w/st", "/bin/mv", "/w/kill", "/usr/bin/python3", "job.py"), environment);
  }

  @Test
  void daemonsAreFoundByTheirMainClassAsTheLaunchersAndTheLocalClusterStartThem() {
    Map<Long, String> roles = ProcessRoles.classify(List.of(
        p(1, 0, "/sbin/init"),
        // bin/fuxi-master: exec java with options, then -cp lib/*
        p(10, 1, JAVA, "-Xmx1g", "-XX:+ExitOnOutOfMemoryError", "-Dlogback.configurationFile=/etc/feitian/logback.xml",
            "-cp", "/opt/feitian/lib/*", "io.feitian.fuxi.master.FuxiMasterMain", "--config", "/etc/feitian/f.conf"),
        // LocalCluster: java -Xmx256m -XX:+UseSerialGC -cp CLASSPATH Main --set ...
        p(11, 1, JAVA, "-Xmx256m", "-XX:+UseSerialGC", "-cp", "/a.jar:/b.jar", "io.feitian.taskworker.TaskWorkerMain",
            "--set", "task-worker.node-id=node-1"),
        p(12, 1, "java", "--class-path", "/x", "io.feitian.shennong.agent.ShennongAgentMain"),
        p(13, 1, JAVA, "-cp", "/x", "io.feitian.shennong.master.ShennongMasterMain"),
        p(14, 1, JAVA, "-cp", "/x", "io.feitian.shennong.inspector.ShennongInspectorMain"),
        p(15, 1, JAVA, "-cp", "/x", "org.apache.zookeeper.server.ZooKeeperServerMain", "/etc/feitian/zoo.cfg"),
        p(16, 1, JAVA, "-cp", "/x", "io.feitian.client.cli.FeitianCli", "local", "up")));
    assertThat(roles).isEqualTo(Map.of(10L, "fuxi-master", 11L, "task-worker", 12L, "shennong-agent",
        13L, "shennong-master", 14L, "shennong-inspector", 15L, "zookeeper"));
  }

  @Test
  void aMainClassNameAnywhereElseOnACommandLineIsNoDaemon() {
    Map<Long, String> roles = ProcessRoles.classify(List.of(
        p(20, 1, "grep", "io.feitian.fuxi.master.FuxiMasterMain"),
        p(21, 1, JAVA, "-cp", "io.feitian.fuxi.master.FuxiMasterMain", "other.Main"),
        p(22, 1, JAVA, "-jar", "app.jar", "io.feitian.fuxi.master.FuxiMasterMain"),
        p(23, 1, JAVA, "other.Main", "io.feitian.fuxi.master.FuxiMasterMain"),
        p(24, 1)));
    assertThat(roles).isEmpty();
  }

  @Test
  void workersAreTheDescendantsOfTheLaunchWrapperEvenAfterTheTaskWorkerIsGone() {
    Map<Long, String> roles = ProcessRoles.classify(List.of(
        p(11, 1, JAVA, "-cp", "/x", "io.feitian.taskworker.TaskWorkerMain"),
        wrapper(30, 11),
        p(31, 30, "/usr/bin/python3", "job.py"),
        p(32, 31, "sleep", "5"),
        // A wrapper adopted by init after its task-worker restarted.
        wrapper(40, 1),
        p(41, 40, "/bin/bash", "serve.sh"),
        // A job-master started through the wrapper keeps its daemon role.
        wrapper(50, 11),
        p(51, 50, JAVA, "-Xmx192m", "-XX:+ExitOnOutOfMemoryError", "-cp", "/x", "io.feitian.job.master.JobMasterMain"),
        p(52, 51, JAVA, "-cp", "/x", "io.feitian.job.worker.JobWorkerMain"),
        // Not under a wrapper: the task-worker's own short-lived helpers are no workers.
        p(60, 11, "systemd-notify", "--ready")));
    assertThat(roles).isEqualTo(Map.of(11L, "task-worker", 31L, "worker", 32L, "worker", 41L, "worker",
        51L, "job-master", 52L, "worker"));
  }

  @Test
  void everythingUnderAWrapperBelongsToTheWorkerItsEnvironmentNames() {
    Map<String, String> job = Map.of("FEITIAN_APP_ID", "app-7", "FEITIAN_WORKER_ID", "app-7.job-master.ab12",
        "PATH", "/bin");
    List<ProcessInfo> table = List.of(
        p(11, 1, JAVA, "-cp", "/x", "io.feitian.taskworker.TaskWorkerMain"),
        wrapper(50, 11, job),
        p(51, 50, JAVA, "-cp", "/x", "io.feitian.job.master.JobMasterMain"),
        p(52, 51, "sh", "-c", "helper"),
        wrapper(60, 11, Map.of("FEITIAN_APP_ID", "app-8", "FEITIAN_WORKER_ID", "app-8.copy.cd34")),
        p(61, 60, "/usr/bin/python3", "job.py"),
        // A wrapper whose environment could not be read (another user's): its worker has no owner.
        wrapper(70, 11),
        p(71, 70, "sleep", "9"));
    ProcessRoles.Owner jobMaster = new ProcessRoles.Owner("app-7", "app-7.job-master.ab12");
    assertThat(ProcessRoles.owners(table)).isEqualTo(Map.of(51L, jobMaster, 52L, jobMaster,
        61L, new ProcessRoles.Owner("app-8", "app-8.copy.cd34")));
    assertThat(ProcessRoles.classify(table)).containsEntry(51L, "job-master").containsEntry(61L, "worker")
        .containsEntry(71L, "worker");
  }

  @Test
  void aProcessThatIsItsOwnParentDoesNotLoop() {
    assertThat(ProcessRoles.classify(List.of(wrapper(0, 0), p(5, 0, "x")))).isEqualTo(
        Map.of(5L, "worker"));
  }
}
