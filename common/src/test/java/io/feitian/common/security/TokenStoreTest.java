package io.feitian.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreTest {
  @TempDir
  Path dir;

  @Test
  void parsesRolesAndFindsPrincipals() throws Exception {
    Path f = dir.resolve("tokens");
    Files.writeString(f, "# comment\n\n0123456789abcdef0 admin ops\nfedcba98765432100 user alice\n");
    TokenStore s = TokenStore.parse(f);
    assertThat(s.lookup("0123456789abcdef0")).contains(new Principal("ops", Role.ADMIN));
    assertThat(s.lookup("fedcba98765432100")).contains(new Principal("alice", Role.USER));
    assertThat(s.lookup("nope")).isEmpty();
    assertThat(Role.ADMIN.includes(Role.USER)).isTrue();
    assertThat(Role.USER.includes(Role.ADMIN)).isFalse();
  }

  @Test
  void badLinesAreRefusedWithTheirLineNumber() throws Exception {
    Path f = dir.resolve("tokens");
    Files.writeString(f, "0123456789abcdef0 admin ops\nfedcba98765432100 root eve\n");
    assertThatThrownBy(() -> TokenStore.parse(f)).hasMessageContaining(":2:").hasMessageContaining("unknown role 'root'");
    Files.writeString(f, "short admin ops\n");
    assertThatThrownBy(() -> TokenStore.parse(f)).hasMessageContaining("shorter than 16");
  }
}
