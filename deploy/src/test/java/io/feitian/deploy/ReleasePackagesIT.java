package io.feitian.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.dayu.descriptor.DescriptorParser;
import io.feitian.dayu.descriptor.ModuleDescriptor;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Dayu release packages `package` builds, target/packages/&lt;module&gt;-&lt;release&gt;.tar.gz:
 * one per descriptor the feitian-dayu jar ships, each with its descriptor at the root (read as
 * dayu-server reads it when the package is published) naming the module and this build's release,
 * and the tree's bin/, conf/ and lib/ with the same modes.
 */
class ReleasePackagesIT {
  /** Every daemon with a descriptor in feitian-dayu: deploy/pom.xml builds a package for each. */
  static final List<String> MODULES =
      List.of("fuxi-master", "task-worker", "shennong-master", "shennong-agent", "shennong-inspector", "dayu-agent");
  private static final Pattern DESCRIPTOR = Pattern.compile("io/feitian/dayu/modules/([^/]+)/" + DescriptorParser.FILE_NAME);

  @BeforeAll
  static void built() {
    Dist.assertBuilt();
  }

  @Test
  void onePackageForEveryDescriptorInFeitianDayu() throws IOException {
    Set<String> described = new TreeSet<>();
    try (JarFile jar = new JarFile(Dist.HOME.resolve("lib/feitian-dayu-" + Dist.VERSION + ".jar").toFile())) {
      jar.stream().forEach(e -> {
        Matcher m = DESCRIPTOR.matcher(e.getName());
        if (m.matches()) {
          described.add(m.group(1));
        }
      });
    }
    assertThat(described).as("descriptors in lib/feitian-dayu").containsExactlyInAnyOrderElementsOf(MODULES);
    assertThat(Dist.files(Dist.PACKAGES)).as("%s", Dist.PACKAGES)
        .containsExactlyInAnyOrderElementsOf(MODULES.stream().map(m -> Dist.releasePackage(m).getFileName().toString()).toList());
  }

  @Test
  void eachHoldsItsDescriptorForThisRelease() {
    for (String module : MODULES) {
      ModuleDescriptor d = Dist.packagedDescriptor(module);
      assertThat(d.name()).isEqualTo(module);
      assertThat(d.version()).as("%s's descriptor against the build %s", module, Dist.VERSION).hasToString(Dist.RELEASE);
      assertThat(d.run().command().get(0)).isEqualTo("{{module.home}}/bin/" + module);
    }
  }

  @Test
  void eachHoldsTheTreesBinConfAndLib() {
    Set<String> expected = new TreeSet<>(List.of(DescriptorParser.FILE_NAME));
    for (String dir : List.of("bin", "conf", "lib")) {
      Dist.files(Dist.HOME.resolve(dir)).forEach(f -> expected.add(dir + "/" + f));
    }
    for (String module : MODULES) {
      Map<String, String> files = new TreeMap<>();
      Dist.archiveEntries(Dist.releasePackage(module)).forEach((name, mode) -> {
        if (mode.startsWith("-")) {
          files.put(name, mode);
        }
      });
      assertThat(files.keySet()).as(module).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(files).as(module).containsEntry("bin/" + module, "-rwxr-xr-x")
          .containsEntry("bin/common.sh", "-rw-r--r--").containsEntry(DescriptorParser.FILE_NAME, "-rw-r--r--");
    }
  }
}
