package io.feitian.dayu.descriptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VersionTest {
  @Test
  void ordersAsSemverSays() {
    List<String> sorted = List.of("0.1.0-alpha", "0.1.0-alpha.1", "0.1.0-alpha.beta", "0.1.0-beta.2", "0.1.0-beta.11",
        "0.1.0-rc.1", "0.1.0", "0.1.1", "0.2.0", "0.10.0", "1.0.0");
    List<Version> versions = new ArrayList<>(sorted.stream().map(Version::parse).toList());
    java.util.Collections.reverse(versions);
    versions.sort(null);
    assertThat(versions).extracting(Version::toString).containsExactlyElementsOf(sorted);
  }

  @Test
  void buildMetadataIsIgnored() {
    assertThat(Version.parse("1.2.3+build.7")).isEqualTo(Version.parse("1.2.3"));
  }

  @Test
  void refusesWhatIsNotAFullVersion() {
    for (String bad : List.of("0.1", "v0.1.0", "01.1.0", "0.1.0-", "1.2.3.4", "")) {
      assertThatThrownBy(() -> Version.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("semantic version");
    }
  }

  @Test
  void rangesAdmitTheirVersionsOnly() {
    VersionRange r = VersionRange.parse(">= 0.1 < 0.2");
    assertThat(r.admits(Version.parse("0.1.0"))).isTrue();
    assertThat(r.admits(Version.parse("0.1.9"))).isTrue();
    assertThat(r.admits(Version.parse("0.2.0"))).isFalse();
    assertThat(r.admits(Version.parse("0.0.9"))).isFalse();
    assertThat(VersionRange.parse(">=1.0.0 <=1.0.0").admits(Version.parse("1.0.0"))).isTrue();
    assertThat(VersionRange.parse("1.2.3").admits(Version.parse("1.2.4"))).isFalse();
    assertThat(VersionRange.parse("*").admits(Version.parse("9.9.9"))).isTrue();
    assertThat(r).hasToString(">= 0.1.0 < 0.2.0");
  }

  @Test
  void refusesBadAndEmptyRanges() {
    assertThatThrownBy(() -> VersionRange.parse(">= 0.2 < 0.1")).hasMessageContaining("no version satisfies");
    assertThatThrownBy(() -> VersionRange.parse("> 1.0 < 1.0")).hasMessageContaining("no version satisfies");
    assertThatThrownBy(() -> VersionRange.parse("~> 1.0")).hasMessageContaining("is not a version range");
    assertThatThrownBy(() -> VersionRange.parse(">= 1.x")).hasMessageContaining("bad version");
    assertThatThrownBy(() -> VersionRange.parse("")).hasMessageContaining("empty");
  }
}
