package io.feitian.client.cli.dayu;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.common.security.Pki;
import io.feitian.testkit.SamplePackages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code feitian dayu} run in this JVM against a real dayu-server on loopback. */
class DayuCliTest {
  @TempDir
  Path dir;
  private RunningDayuServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void start(Map<String, ?> settings) {
    server = new RunningDayuServer(dir.resolve("data"), settings);
  }

  /** {@code feitian dayu ARGS --server <the server>}. */
  private CliRun dayu(String... args) {
    return CliRun.dayu(server.address(), args);
  }

  /** Runs a command that must succeed; returns what it printed. */
  private String ok(String... args) {
    return dayu(args).ok();
  }

  private static void assertFails(CliRun r, int exit, String errStart) {
    r.fails(exit, errStart);
  }

  private Path file(String name, byte[] bytes) throws Exception {
    return Files.write(dir.resolve(name), bytes);
  }

  @Test
  void clustersAndNodes() {
    start(Map.of());
    assertThat(ok("cluster", "add", "prod", "-d", "production")).isEqualTo("added cluster prod\n");
    assertThat(ok("cluster", "list")).contains("CLUSTER").containsPattern("prod\\s+0\\s+\\S+Z\\s+production");
    assertThat(ok("cluster", "list", "--json")).contains("\"name\": \"prod\"", "\"description\": \"production\"");

    assertThat(ok("node", "add", "-c", "prod", "n1", "--rack", "r1", "--roles", "worker,gpu"))
        .isEqualTo("added node n1 to prod (rack r1, roles gpu,worker)\n");
    ok("node", "add", "-c", "prod", "n2", "--rack", "r2");
    String nodes = ok("node", "list", "-c", "prod");
    assertThat(nodes.lines().toList()).hasSize(3);
    assertThat(nodes).containsPattern("n1\\s+r1\\s+NEW\\s+gpu,worker\\s+\\S+Z\\s+-").containsPattern("n2\\s+r2\\s+NEW");
    assertThat(ok("node", "remove", "-c", "prod", "n1")).isEqualTo("removed node n1 from prod\n");
    assertThat(ok("node", "list", "-c", "prod")).doesNotContain("n1");

    assertFails(dayu("cluster", "add", "prod"), 1, "feitian: ALREADY_EXISTS: cluster");
    assertFails(dayu("node", "list", "-c", "nowhere"), 1, "feitian: NOT_FOUND: cluster unknown cluster 'nowhere'");
    assertFails(dayu("node", "add", "-c", "prod", "bad_host", "--rack", "r1"), 1, "feitian: INVALID_ARGUMENT: host");
    assertFails(dayu("node", "list"), 2, "feitian: --cluster is required");
    assertThat(dayu("node", "add", "-c", "prod", "n3").exit()).as("--rack missing").isEqualTo(2);
  }

  @Test
  void modulesArePublishedFromTheirPackageFiles() throws Exception {
    start(Map.of());
    byte[] small = SamplePackages.sample("app", "1.0.0");
    Path smallFile = file("app-1.0.0.tar.gz", small);
    String published = "published app 1.0.0 (" + small.length + " bytes, sha256 " + SamplePackages.sha256(small)
        + ")\n";
    assertThat(ok("module", "publish", smallFile.toString())).isEqualTo(published);
    assertThat(ok("module", "publish", smallFile.toString())).as("the same again").isEqualTo(published);

    // Several 1 MiB chunks, sent as the server takes them.
    byte[] large = SamplePackages.large("app", "1.1.0", 4 * 1024 * 1024);
    assertThat(large.length).isGreaterThan(3 * 1024 * 1024);
    ok("module", "publish", file("app-1.1.0.tar.gz", large).toString(), "--published-by", "release-bot");
    assertThat(server.fetchPackage("app", "1.1.0")).isEqualTo(large);
    assertThat(server.fetchPackage("app", "1.0.0")).isEqualTo(small);

    String modules = ok("module", "list");
    assertThat(modules.lines().toList()).hasSize(3);
    assertThat(modules.lines().skip(1).toList()).satisfiesExactly(
        l -> assertThat(l).matches("app\\s+1\\.1\\.0\\s+" + large.length + "\\s+\\S+Z\\s+release-bot\\s+"
            + SamplePackages.sha256(large)),
        l -> assertThat(l).matches("app\\s+1\\.0\\.0\\s+" + small.length + "\\s+\\S+Z\\s+anonymous\\s+"
            + SamplePackages.sha256(small)));
    assertThat(ok("module", "list", "--json")).contains("\"sizeBytes\": \"" + large.length + "\"");

    // Refused locally: not a package at all, no descriptor; refused by the server: a bad descriptor.
    assertFails(dayu("module", "publish", dir.resolve("missing.tar.gz").toString()), 2, "feitian: ");
    assertFails(dayu("module", "publish", file("junk.tar.gz", "junk".getBytes()).toString()), 2, "feitian: ");
    Path noDescriptor = file("bare.tar.gz", SamplePackages.tarGz(Map.of("bin/app", "#!/bin/sh\n")));
    assertFails(dayu("module", "publish", noDescriptor.toString()), 2,
        "feitian: " + noDescriptor + " holds no dayu-module.conf at its root");
    Path badStep = file("bad.tar.gz", SamplePackages.tarGz(Map.of(SamplePackages.DESCRIPTOR,
        SamplePackages.sampleDescriptor("app", "1.2.0").replace("deploy = [fetch,", "deploy = [restart, fetch,"))));
    assertFails(dayu("module", "publish", badStep.toString()), 1,
        "feitian: INVALID_ARGUMENT: descriptor dayu-module.conf:5: deploy[0] is not a step");
    assertThat(ok("module", "list")).isEqualTo(modules);
  }

  @Test
  void parametersWithHistoryAndDiff() throws Exception {
    start(Map.of());
    ok("cluster", "add", "prod");
    ok("node", "add", "-c", "prod", "n1", "--rack", "r1", "--roles", "worker");
    ok("node", "add", "-c", "prod", "n2", "--rack", "r1", "--roles", "worker,gpu");
    ok("module", "publish", file("app.tar.gz", SamplePackages.sample("app", "1.0.0")).toString());

    assertThat(ok("params", "set", "-c", "prod", "app", "port=8080", "timeout=2m", "-m", "defaults",
        "--author", "alice")).isEqualTo("revision 1 of prod: app port=8080; app timeout=120000ms\n");
    assertThat(ok("params", "set", "-c", "prod", "app", "port=9090", "--node", "n2", "-m", "n2 is special"))
        .isEqualTo("revision 2 of prod: app port=9090 (node n2)\n");
    assertThat(ok("params", "set", "-c", "prod", "app", "--unset", "timeout", "-m", "back to the default"))
        .isEqualTo("revision 3 of prod: app timeout removed\n");

    String atTwo = ok("params", "get", "-c", "prod", "app", "--revision", "2");
    assertThat(atTwo).startsWith("app in prod at revision 2\n").containsPattern("module\\s+port\\s+8080\\s+1")
        .containsPattern("node\\s+n2\\s+port\\s+9090\\s+2").containsPattern("module\\s+timeout\\s+120000ms\\s+1");
    assertThat(ok("params", "get", "-c", "prod", "app", "--node", "n2"))
        .startsWith("app in prod at revision 3, as node n2 sees it\n").containsPattern("port\\s+9090")
        .doesNotContain("timeout");

    String history = ok("params", "history", "-c", "prod");
    assertThat(history.lines().skip(1).map(l -> l.split("\\s+")[0]).toList()).containsExactly("3", "2", "1");
    assertThat(history).contains("alice", "defaults", "app port=8080; app timeout=120000ms", "anonymous");
    assertThat(ok("params", "diff", "-c", "prod", "1", "3")).containsPattern("app\\s+node\\s+n2\\s+port\\s+-\\s+9090")
        .containsPattern("app\\s+module\\s+timeout\\s+120000ms\\s+-").doesNotContain("8080");

    assertFails(dayu("params", "set", "-c", "prod", "app", "port=eighty", "-m", "typo"), 1,
        "feitian: INVALID_ARGUMENT: changes[0].value must be a whole number (type int), got \"eighty\"");
    assertFails(dayu("params", "set", "-c", "prod", "app", "port", "-m", "no value"), 2,
        "feitian: 'port' is not KEY=VALUE");
    assertFails(dayu("params", "set", "-c", "prod", "app", "port=1", "--role", "gpu", "--node", "n1", "-m", "both"),
        2, "feitian: --role and --node exclude each other");
    assertFails(dayu("params", "diff", "-c", "prod", "1", "9"), 1, "feitian: INVALID_ARGUMENT: to");
    assertThat(ok("params", "history", "-c", "prod")).isEqualTo(history);
  }

  @Test
  void credentialsAsForEveryCommand() throws Exception {
    Pki pki = new Pki(dir.resolve("pki"), "test-ca");
    Pki.Issued cert = pki.issue("dayu-server");
    Path tokens = Files.writeString(dir.resolve("tokens"),
        "admin-token-0123456789 admin alice\nreader-token-0123456789 reader bob\n");
    start(Map.of("feitian.security.tls.enabled", true, "feitian.security.tls.cert", cert.cert().toString(),
        "feitian.security.tls.key", cert.key().toString(), "feitian.security.tls.ca", pki.caPath().toString(),
        "feitian.security.auth.enabled", true, "feitian.security.auth.tokens-file", tokens.toString()));
    String ca = pki.caPath().toString();
    Path adminToken = Files.writeString(dir.resolve("admin.token"), "admin-token-0123456789\n");

    assertFails(dayu("cluster", "list", "--tls-ca", ca), 1, "feitian: UNAUTHENTICATED: ");
    assertThat(ok("cluster", "add", "prod", "--tls-ca", ca, "--token-file", adminToken.toString()))
        .isEqualTo("added cluster prod\n");
    assertThat(ok("cluster", "list", "--tls-ca", ca, "--token", "reader-token-0123456789")).contains("prod");
    assertFails(dayu("cluster", "add", "staging", "--tls-ca", ca, "--token", "reader-token-0123456789"), 1,
        "feitian: PERMISSION_DENIED: ");
    // The package's publisher is the token's name.
    assertThat(ok("module", "publish", file("app.tar.gz", SamplePackages.sample("app", "1.0.0")).toString(),
        "--tls-ca", ca, "--token-file", adminToken.toString(), "--json")).contains("\"publishedBy\": \"alice\"");
  }
}
