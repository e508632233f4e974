package io.feitian.dayu.agent.node;

import io.feitian.common.files.SafeFiles;
import io.feitian.dayu.descriptor.DescriptorParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Release packages for tests: real gzip-compressed tars, made with tar from files given as text. */
final class SamplePackages {
  /** A package on disk with what a publisher would record of it. */
  record Built(Path file, String sha256, long size) {}

  private SamplePackages() {}

  /**
   * Writes {@code files} (path → text; paths under {@code bin/} are made executable) into a
   * directory {@code top} and packs it; {@code top} empty packs the files at the archive's top.
   */
  static Built pack(Path workDir, Path archive, String top, Map<String, String> files)
      throws IOException, InterruptedException {
    Path tree = Files.createTempDirectory(workDir, "tree");
    Path base = top.isEmpty() ? tree : tree.resolve(top);
    for (Map.Entry<String, String> f : files.entrySet()) {
      Path file = base.resolve(f.getKey());
      Files.createDirectories(file.getParent());
      Files.writeString(file, f.getValue());
      if (f.getKey().startsWith("bin/")) {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    }
    Files.createDirectories(archive.getParent());
    Commands.Outcome out = Commands.run(List.of("tar", "-czf", archive.toString(), "-C", tree.toString(),
        top.isEmpty() ? "." : top), Duration.ofSeconds(30));
    if (!out.ok()) {
      throw new IOException("tar: " + out.describe());
    }
    SafeFiles.deleteTree(tree);
    return new Built(archive, SafeFiles.sha256(archive), Files.size(archive));
  }

  /** The smallest package the installer accepts: a descriptor file and one more. */
  static Built minimal(Path workDir, Path archive, String top, String version) throws IOException, InterruptedException {
    return pack(workDir, archive, top, Map.of(DescriptorParser.FILE_NAME, "version = \"" + version + "\"\n",
        "VERSION", version));
  }
}
