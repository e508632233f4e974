package io.feitian.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import io.feitian.common.zk.ZkSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir
  Path dir;

  @Test
  void layersDefaultsFileAndOverridesInThatOrder() throws Exception {
    Path file = dir.resolve("f.conf");
    Files.writeString(file, "feitian { cluster-name = from-file, zookeeper.connect = \"zk1:2181\" }\n");
    Config c = ConfigLoader.load(file, Map.of("feitian.zookeeper.connect", "zk2:2181"));
    assertThat(c.getString("feitian.cluster-name")).isEqualTo("from-file");
    assertThat(c.getString("feitian.zookeeper.connect")).isEqualTo("zk2:2181");
    assertThat(c.getDuration("feitian.zookeeper.session-timeout").toMillis()).isEqualTo(4000);
  }

  @Test
  void aMissingFileOrAWrongTypeIsNamed() throws Exception {
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("nope.conf")))
        .hasMessageContaining("config file not found").hasMessageContaining("nope.conf");
    Path file = dir.resolve("bad.conf");
    Files.writeString(file, "feitian.zookeeper.session-timeout = soon\n");
    Config c = ConfigLoader.load(file);
    assertThatThrownBy(() -> ZkSettings.from(c)).hasMessageContaining("session-timeout");
  }

  @Test
  void renderingMasksTokens() {
    Config c = ConfigLoader.load(null, Map.of("feitian.security.token", "s3cr3t-value"));
    String text = ConfigLoader.render(c);
    assertThat(text).contains("<redacted>").doesNotContain("s3cr3t-value").contains("zookeeper");
  }
}
