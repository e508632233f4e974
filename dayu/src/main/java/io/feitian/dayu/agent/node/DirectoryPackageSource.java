package io.feitian.dayu.agent.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/** Packages in a local directory, named {@code <module>-<version>.tar.gz}: for tests, and for nodes fed by hand. */
public final class DirectoryPackageSource implements PackageSource {
  private final Path dir;

  public DirectoryPackageSource(Path dir) {
    this.dir = dir;
  }

  public static String fileName(String module, String version) {
    return module + "-" + version + ".tar.gz";
  }

  @Override
  public void fetch(String module, String version, Path target, Duration timeout) throws IOException {
    Path source = dir.resolve(fileName(module, version));
    try {
      Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
    } catch (NoSuchFileException e) {
      throw new IOException("no package " + source, e);
    }
  }
}
