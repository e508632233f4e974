package io.feitian.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Roles, ownership, method policies, and the security settings a process hands its children. */
class AccessTest {
  static final Principal ALICE = new Principal("alice", Role.USER);
  static final Principal VIEWER = new Principal("viewer", Role.READER);
  static final Principal OPS = new Principal("ops", Role.ADMIN);

  @TempDir
  Path dir;

  @Test
  void aUserReadsAndChangesItsOwnAReaderReadsAllAnAdminDoesAll() {
    assertThat(ALICE.mayRead("alice")).isTrue();
    assertThat(ALICE.mayChange("alice")).isTrue();
    assertThat(ALICE.mayRead("bob")).isFalse();
    assertThat(ALICE.mayChange("bob")).isFalse();
    assertThat(VIEWER.mayRead("bob")).isTrue();
    assertThat(VIEWER.mayChange("viewer")).as("a reader changes nothing, not even its own").isFalse();
    assertThat(OPS.mayRead("bob")).isTrue();
    assertThat(OPS.mayChange("bob")).isTrue();
    assertThat(Principal.ANONYMOUS_ADMIN.mayChange("anyone")).isTrue();
    assertThatThrownBy(() -> ALICE.checkChange("job app-7", "bob"))
        .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED))
        .hasMessageContaining("alice (user) may not change job app-7: it belongs to bob");
    assertThat(Role.ADMIN.includes(Role.READER)).isTrue();
    assertThat(Role.READER.includes(Role.USER)).isFalse();
    assertThat(Role.parse("Reader")).isEqualTo(Role.READER);
  }

  @Test
  void aMethodNamedInFullWinsOverItsServiceWhichWinsOverTheDefault() {
    MethodPolicy p = MethodPolicy.requiring(Role.ADMIN).with(Role.READER, "pkg.Jobs/*").with(Role.USER, "pkg.Jobs/Kill");
    assertThat(p.requiredRole("pkg.Jobs/Get")).isEqualTo(Role.READER);
    assertThat(p.requiredRole("pkg.Jobs/Kill")).isEqualTo(Role.USER);
    assertThat(p.requiredRole("pkg.Workers/Work")).isEqualTo(Role.ADMIN);
  }

  @Test
  void childrenGetPathsOnlyAndAnInlineTokenIsWrittenToAPrivateFile() throws Exception {
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "0123456789abcdef0 admin daemons\n");
    Path pem = Files.writeString(dir.resolve("x.pem"), "not read here");
    SecuritySettings s = SecuritySettings.from(ConfigFactory.parseMap(Map.of(
        "feitian.security.auth.enabled", true, "feitian.security.auth.tokens-file", tokens.toString(),
        "feitian.security.token", "0123456789abcdef0",
        "feitian.security.tls.enabled", true, "feitian.security.tls.cert", pem.toString(),
        "feitian.security.tls.key", pem.toString(), "feitian.security.tls.ca", pem.toString(),
        "feitian.security.tls.client-auth", "require")).withFallback(ConfigFactory.load()));
    Map<String, String> env = s.childEnvironment(dir.resolve("secrets"));
    assertThat(env).containsEntry("FEITIAN_TLS", "true").containsEntry("FEITIAN_TLS_CLIENT_AUTH", "require")
        .containsEntry("FEITIAN_TLS_CERT", pem.toString()).containsEntry("FEITIAN_AUTH", "true")
        .containsEntry("FEITIAN_TOKENS_FILE", tokens.toString());
    assertThat(env.values()).noneMatch(v -> v.contains("0123456789abcdef0"));
    Path tokenFile = Path.of(env.get("FEITIAN_TOKEN_FILE"));
    assertThat(Files.readString(tokenFile)).isEqualTo("0123456789abcdef0");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");

    // A child reads them back through reference.conf's FEITIAN_* variables: the same settings.
    SecuritySettings child = SecuritySettings.from(ConfigFactory.parseMap(Map.of(
        "feitian.security.auth.enabled", true, "feitian.security.auth.tokens-file", env.get("FEITIAN_TOKENS_FILE"),
        "feitian.security.token-file", env.get("FEITIAN_TOKEN_FILE"))).withFallback(ConfigFactory.load()));
    assertThat(child.token()).contains("0123456789abcdef0");
    assertThat(child.tokenFile()).contains(tokenFile);
    assertThat(child.childEnvironment(dir.resolve("other"))).as("a token from a file is passed on as that file")
        .containsEntry("FEITIAN_TOKEN_FILE", tokenFile.toString());
  }
}
