package io.feitian.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.common.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token a process presents: from feitian.security.token, or from the file token-file names. */
class SecuritySettingsTest {
  @TempDir
  Path dir;

  @Test
  void aTokenFileWinsOverATokenAndIsStripped() throws Exception {
    Path file = dir.resolve("daemon.token");
    Files.writeString(file, "  from-the-file-0123456789\n");
    assertThat(SecuritySettings.from(ConfigLoader.load(null, Map.of("feitian.security.token", "inline-0123456789")))
        .token()).contains("inline-0123456789");
    assertThat(SecuritySettings.from(ConfigLoader.load(null, Map.of("feitian.security.token", "inline-0123456789",
        "feitian.security.token-file", file.toString()))).token()).contains("from-the-file-0123456789");
    assertThat(SecuritySettings.from(ConfigLoader.load(null, Map.of())).token()).isEmpty();
  }

  @Test
  void aMissingOrEmptyTokenFileIsAnError() throws Exception {
    Path empty = dir.resolve("empty.token");
    Files.writeString(empty, " \n");
    assertThatThrownBy(() -> SecuritySettings.from(ConfigLoader.load(null,
        Map.of("feitian.security.token-file", empty.toString()))))
        .hasMessageContaining("feitian.security.token-file").hasMessageContaining("is empty");
    assertThatThrownBy(() -> SecuritySettings.from(ConfigLoader.load(null,
        Map.of("feitian.security.token-file", dir.resolve("nope").toString()))))
        .hasMessageContaining("feitian.security.token-file").hasMessageContaining("cannot read");
  }
}
