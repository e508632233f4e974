package io.feitian.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The built tree (target/feitian-&lt;version&gt;/) and the archive hold what an install needs. */
class DistributionLayoutIT {
  static final List<String> LAUNCHERS =
      List.of("fuxi-master", "task-worker", "shennong-master", "shennong-agent", "shennong-inspector", "monitor-service",
          "analysis-service", "dayu-server", "dayu-agent", "dayu-agent-launcher", "zookeeper", "feitian");
  static final List<String> UNITS = List.of("feitian-fuxi-master.service", "feitian-task-worker.service",
      "feitian-shennong-master.service", "feitian-shennong-agent.service", "feitian-shennong-inspector.service",
      "feitian-monitor-service.service", "feitian-analysis-service.service", "feitian-dayu-server.service",
      "feitian-dayu-agent.service", "feitian-zookeeper.service");
  /** lib/ jar name: artifactId-version[-classifier].jar, the version starting with a digit. */
  private static final Pattern JAR = Pattern.compile("(.+?)-(\\d[^-]*)((?:-[A-Za-z0-9._]+)*)\\.jar");

  @BeforeAll
  static void built() {
    Dist.assertBuilt();
  }

  @Test
  void hasTheFourDirectoriesAndRelease() throws IOException {
    for (String dir : List.of("bin", "lib", "conf", "systemd")) {
      assertTrue(Files.isDirectory(Dist.HOME.resolve(dir)), dir + "/ missing in " + Dist.HOME);
    }
    String release = Files.readString(Dist.HOME.resolve("RELEASE"));
    assertTrue(release.startsWith("Feitian " + Dist.VERSION + "\n"), release);
    assertFalse(release.contains("${"), "RELEASE was not filtered: " + release);
  }

  @Test
  void launchersAreExecutableAndShareCommonSh() throws IOException {
    for (String launcher : LAUNCHERS) {
      Path file = Dist.bin(launcher);
      assertTrue(Files.isRegularFile(file), file + " missing");
      assertTrue(Files.isExecutable(file), file + " is not executable");
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      assertTrue(perms.contains(PosixFilePermission.OTHERS_EXECUTE), file + " is not executable by all: " + perms);
      String text = Files.readString(file);
      assertTrue(text.startsWith("#!/usr/bin/env bash\n"), file + " has no bash shebang");
      assertTrue(text.contains("/common.sh\""), file + " does not source common.sh");
      assertFalse(text.contains("\r"), file + " has CR line endings");
    }
    Path common = Dist.bin("common.sh");
    assertTrue(Files.isRegularFile(common), "bin/common.sh missing");
    assertFalse(Files.isExecutable(common), "bin/common.sh is sourced, not run: it should not be executable");
    assertTrue(Files.readString(common).contains("exec \"$FEITIAN_JAVA\""), "common.sh must exec java");
  }

  @Test
  void scriptsParse() {
    List<String> scripts = new ArrayList<>(LAUNCHERS);
    scripts.add("common.sh");
    for (String script : scripts) {
      Dist.Result r = Dist.run(Duration.ofSeconds(10), "bash", "-n", Dist.bin(script).toString());
      assertEquals(0, r.exit(), "bash -n bin/" + script + ":\n" + r);
    }
  }

  @Test
  void confHasTheExamples() throws IOException {
    for (String name : List.of("fuxi-master.conf", "task-worker.conf", "shennong-master.conf", "shennong-agent.conf",
        "shennong-inspector.conf", "monitor-service.conf", "monitor-rules/cluster.conf", "analysis-service.conf", "dayu-server.conf", "dayu-agent.conf",
        "zoo.cfg", "logback.xml", "tokens.example")) {
      assertTrue(Files.isRegularFile(Dist.HOME.resolve("conf").resolve(name)), "conf/" + name + " missing");
    }
    assertTrue(Files.readString(Dist.HOME.resolve("conf/tokens.example")).contains("openssl rand -hex 32"));
  }

  @Test
  void systemdHasTheUnitsAndReadme() {
    for (String name : UNITS) {
      assertTrue(Files.isRegularFile(Dist.HOME.resolve("systemd").resolve(name)), "systemd/" + name + " missing");
    }
    assertTrue(Files.isRegularFile(Dist.HOME.resolve("systemd/README.md")), "systemd/README.md missing");
  }

  @Test
  void libHoldsTheModulesAndZooKeeperServerJars() {
    Set<String> artifacts = jarsByArtifact().keySet();
    for (String needed : List.of(
        "feitian-fuxi-master", "feitian-task-worker", "feitian-client", "feitian-common", "feitian-proto",
        "feitian-shennong", "feitian-monitor-service", "feitian-analysis-service", "t-digest",
        // dayu-server: its database (embedded H2, or PostgreSQL through its driver) and migrations.
        "feitian-dayu", "h2", "postgresql", "flyway-core", "flyway-database-postgresql",
        // shennong-inspector reads the machine through OSHI and JNA (one JNA: see the test below).
        "oshi-core", "jna", "jna-platform",
        "zookeeper", "zookeeper-jute", "curator-framework", "grpc-netty-shaded", "config", "slf4j-api",
        // common.security.Pki (`local up --secure`).
        "bcpkix-jdk18on", "bcprov-jdk18on", "bcutil-jdk18on",
        // ZooKeeper marks these "provided"; bin/zookeeper needs them.
        "metrics-core", "snappy-java", "commons-cli")) {
      assertTrue(artifacts.contains(needed), "lib/ has no " + needed + " jar: " + artifacts);
    }
  }

  @Test
  void libHasOneVersionOfEachJarAndOneSlf4jBinding() {
    Map<String, List<String>> byArtifact = jarsByArtifact();
    byArtifact.forEach((artifact, jars) -> {
      // Classifiers (e.g. netty's native jars per platform) are fine; two versions are not.
      Set<String> versions = jars.stream().map(DistributionLayoutIT::versionOf).collect(Collectors.toSet());
      assertEquals(1, versions.size(), "several versions of " + artifact + " in lib/: " + jars);
    });
    assertTrue(byArtifact.containsKey("logback-classic"), "no logback-classic in lib/: " + byArtifact.keySet());
    // OSHI 7 depends on jna-jpms, other libraries on jna: the same classes twice, whichever loads first.
    assertFalse(byArtifact.containsKey("jna") && byArtifact.containsKey("jna-jpms"), "two JNAs in lib/: jna and jna-jpms");
    for (String otherBinding : List.of("slf4j-simple", "slf4j-reload4j", "slf4j-log4j12", "slf4j-jdk14",
        "slf4j-nop", "log4j-slf4j-impl", "log4j-slf4j2-impl", "logback-classic-legacy")) {
      assertFalse(byArtifact.containsKey(otherBinding), "second SLF4J binding in lib/: " + otherBinding);
    }
  }

  @Test
  void archiveHoldsTheSameTreeUnderOneTopDirectory() {
    assertTrue(Files.isRegularFile(Dist.ARCHIVE), Dist.ARCHIVE + " missing");
    String top = "feitian-" + Dist.VERSION + "/";
    Map<String, String> modes = new TreeMap<>();
    Dist.archiveEntries(Dist.ARCHIVE).forEach((name, mode) -> {
      assertTrue(name.startsWith(top), "archive entry outside " + top + ": " + name);
      if (mode.startsWith("-")) {
        modes.put(name.substring(top.length()), mode);
      }
    });
    assertEquals(new TreeSet<>(Dist.files(Dist.HOME)), modes.keySet(), "archive and tree differ");
    for (String launcher : LAUNCHERS) {
      assertEquals("-rwxr-xr-x", modes.get("bin/" + launcher), "mode of bin/" + launcher + " in the archive");
    }
    assertEquals("-rw-r--r--", modes.get("systemd/feitian-task-worker.service"));
  }

  private static Map<String, List<String>> jarsByArtifact() {
    List<String> jars = Dist.files(Dist.HOME.resolve("lib"));
    assertFalse(jars.isEmpty(), "lib/ is empty");
    return jars.stream().collect(Collectors.groupingBy(DistributionLayoutIT::artifactOf, TreeMap::new,
        Collectors.toList()));
  }

  private static String versionOf(String jar) {
    Matcher m = JAR.matcher(jar);
    assertTrue(m.matches(), "lib/" + jar + " is not named artifactId-version.jar");
    return m.group(2);
  }

  private static String artifactOf(String jar) {
    Matcher m = JAR.matcher(jar);
    assertTrue(m.matches(), "lib/" + jar + " is not named artifactId-version.jar");
    return m.group(1);
  }
}
