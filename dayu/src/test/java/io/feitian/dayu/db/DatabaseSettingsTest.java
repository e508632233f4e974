package io.feitian.dayu.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.common.config.ConfigLoader;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatabaseSettingsTest {

  @Test
  void theDefaultIsAnEmbeddedH2FileInTheDataDirectory() {
    DatabaseSettings s = DatabaseSettings.from(ConfigLoader.load(null, Map.of("dayu.data-dir", "/srv/dayu")));
    assertThat(s).isEqualTo(new DatabaseSettings("jdbc:h2:file:/srv/dayu/dayu", "dayu", "", 4, Duration.ofSeconds(10)));
  }

  @Test
  void postgresIsChosenByItsUrl() {
    DatabaseSettings s = DatabaseSettings.from(ConfigLoader.load(null, Map.of(
        "dayu.database.url", "jdbc:postgresql://db1:5432/dayu", "dayu.database.password", "secret",
        "dayu.database.pool-size", 8)));
    assertThat(s.url()).isEqualTo("jdbc:postgresql://db1:5432/dayu");
    assertThat(s.poolSize()).isEqualTo(8);
    assertThat(s.toString()).doesNotContain("secret");
  }

  @Test
  void badSettingsNameTheirKey() {
    assertThatThrownBy(() -> DatabaseSettings.from(ConfigLoader.load(null, Map.of("dayu.database.url",
        "jdbc:mysql://db1/dayu")))).hasMessageStartingWith("dayu.database.url ");
    assertThatThrownBy(() -> DatabaseSettings.from(ConfigLoader.load(null, Map.of("dayu.database.pool-size", 0))))
        .hasMessageStartingWith("dayu.database.pool-size ");
  }
}
