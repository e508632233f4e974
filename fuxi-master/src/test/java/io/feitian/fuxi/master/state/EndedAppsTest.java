package io.feitian.fuxi.master.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.proto.fuxi.v1.AppInfo;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndedAppsTest {
  static AppInfo ended(String id, long at) {
    return AppInfo.newBuilder().setAppId(id).setEndedAtMs(at).build();
  }

  @Test
  void theNewestAreKeptUpToTheCountAndNothingPastTheRetention() {
    List<AppInfo> ended = List.of(ended("app-1", 1_000), ended("app-3", 3_000), ended("app-2", 2_000),
        ended("app-4", 4_000));
    assertThat(EndedApps.toForget(ended, 5_000, 10, Duration.ofHours(1))).isEmpty();
    assertThat(EndedApps.toForget(ended, 5_000, 2, Duration.ofHours(1))).containsExactly("app-2", "app-1");
    assertThat(EndedApps.toForget(ended, 5_000, 10, Duration.ofMillis(2_500))).containsExactly("app-2", "app-1");
    assertThat(EndedApps.toForget(ended, 5_000, 0, Duration.ofHours(1))).hasSize(4);
  }
}
