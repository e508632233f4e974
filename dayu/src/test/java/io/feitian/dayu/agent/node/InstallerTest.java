package io.feitian.dayu.agent.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstallerTest {
  @TempDir Path dir;
  private NodeLayout layout;
  private Installer installer;

  @BeforeEach
  void setUp() {
    layout = new NodeLayout(dir.resolve("agent"));
    installer = new Installer(layout);
  }

  /** Puts a package of {@code version} where fetch leaves it. */
  private void fetched(String version, String top) throws Exception {
    SamplePackages.minimal(dir, layout.packageFile("m", version), top, version);
  }

  private String currentTarget() throws IOException {
    return Files.readSymbolicLink(layout.current("m")).toString();
  }

  private List<String> moduleDirEntries() throws IOException {
    try (Stream<Path> s = Files.list(layout.moduleDir("m"))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void unpacksIntoTheVersionDirectoryAndPointsCurrentAtIt() throws Exception {
    fetched("1.0.0", "m-1.0.0");

    assertThat(installer.install("m", "1.0.0", 3, Set.of())).isEqualTo("unpacked 1.0.0; current -> 1.0.0");

    Path home = layout.versionDir("m", "1.0.0");
    assertThat(home.resolve("VERSION")).hasContent("1.0.0");
    assertThat(home.resolve("dayu-module.conf")).exists();
    assertThat(currentTarget()).as("relative, so the tree can move").isEqualTo("1.0.0");
    assertThat(layout.current("m").resolve("VERSION")).hasContent("1.0.0");
    assertThat(moduleDirEntries()).as("no temporary directory or link left").containsExactly("1.0.0", "current");
  }

  @Test
  void aPackageWithoutTopDirectoryWorksToo() throws Exception {
    fetched("1.0.0", "");

    installer.install("m", "1.0.0", 3, Set.of());

    assertThat(layout.versionDir("m", "1.0.0").resolve("VERSION")).hasContent("1.0.0");
  }

  @Test
  void installingAgainChangesNothing() throws Exception {
    fetched("1.0.0", "m-1.0.0");
    installer.install("m", "1.0.0", 3, Set.of());
    Path home = layout.versionDir("m", "1.0.0");
    FileTime homeTime = Files.getLastModifiedTime(home);
    FileTime linkTime = Files.getLastModifiedTime(layout.current("m"), LinkOption.NOFOLLOW_LINKS);

    assertThat(installer.install("m", "1.0.0", 3, Set.of())).isEqualTo("1.0.0 already installed and current");

    assertThat(Files.getLastModifiedTime(home)).isEqualTo(homeTime);
    assertThat(Files.getLastModifiedTime(layout.current("m"), LinkOption.NOFOLLOW_LINKS)).isEqualTo(linkTime);
  }

  @Test
  void switchingBackToAnInstalledVersionOnlyMovesTheLink() throws Exception {
    fetched("1.0.0", "m-1.0.0");
    fetched("2.0.0", "m-2.0.0");
    installer.install("m", "1.0.0", 3, Set.of());
    installer.install("m", "2.0.0", 3, Set.of());
    assertThat(currentTarget()).isEqualTo("2.0.0");

    assertThat(installer.install("m", "1.0.0", 3, Set.of())).isEqualTo("current -> 1.0.0");

    assertThat(currentTarget()).isEqualTo("1.0.0");
    assertThat(installer.installed("m")).containsExactly("2.0.0", "1.0.0");
  }

  @Test
  void keepsTheNewestVersionsAndNeverOneInUse() throws Exception {
    for (String v : List.of("1.0.0", "2.0.0", "3.0.0", "10.0.0")) {
      fetched(v, "m-" + v);
    }
    installer.install("m", "1.0.0", 2, Set.of());
    installer.install("m", "2.0.0", 2, Set.of());
    assertThat(installer.installed("m")).containsExactly("2.0.0", "1.0.0");

    // 1.0.0's process still runs (an upgrade that installs before it stops).
    String did = installer.install("m", "3.0.0", 2, Set.of("1.0.0"));

    assertThat(did).isEqualTo("unpacked 3.0.0; current -> 3.0.0; removed old 2.0.0");
    assertThat(installer.installed("m")).containsExactly("3.0.0", "1.0.0");
    assertThat(layout.packageFile("m", "2.0.0")).as("its package goes too").doesNotExist();

    installer.install("m", "10.0.0", 2, Set.of());
    assertThat(installer.installed("m")).as("semantic order: 10 is newer than 3").containsExactly("10.0.0", "3.0.0");
  }

  @Test
  void aCorruptPackageLeavesNoVersionDirectory() throws Exception {
    Files.createDirectories(layout.packages("m"));
    Files.writeString(layout.packageFile("m", "1.0.0"), "not a tar");

    assertThatThrownBy(() -> installer.install("m", "1.0.0", 3, Set.of()))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("cannot unpack " + layout.packageFile("m", "1.0.0") + ": tar exit 2: ");
    assertThat(moduleDirEntries()).isEmpty();
  }

  @Test
  void aPackageWithoutDescriptorIsRefused() throws Exception {
    SamplePackages.pack(dir, layout.packageFile("m", "1.0.0"), "", Map.of("a/VERSION", "1.0.0", "b/x", ""));

    assertThatThrownBy(() -> installer.install("m", "1.0.0", 3, Set.of()))
        .hasMessage(layout.packageFile("m", "1.0.0") + " has no dayu-module.conf at its top or in its single top directory");
    assertThat(moduleDirEntries()).isEmpty();
  }

  @Test
  void withoutAPackageThereIsNothingToInstall() {
    assertThatThrownBy(() -> installer.install("m", "1.0.0", 3, Set.of()))
        .hasMessage("no package " + layout.packageFile("m", "1.0.0") + " to install (fetch first)");
  }

  @Test
  void uninstallDeletesVersionsLinkAndPackages() throws Exception {
    fetched("1.0.0", "m-1.0.0");
    installer.install("m", "1.0.0", 3, Set.of());
    fetched("1.0.0", "m-1.0.0");
    SamplePackages.minimal(dir, layout.packageFile("mx", "1.0.0"), "", "1.0.0");

    installer.uninstall("m");

    assertThat(layout.moduleDir("m")).doesNotExist();
    assertThat(layout.packages("m")).doesNotExist();
    assertThat(layout.packageFile("mx", "1.0.0")).as("another module's package").exists();
  }
}
