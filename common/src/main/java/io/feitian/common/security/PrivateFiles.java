package io.feitian.common.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files only their owner may read: private keys and tokens (mode 0600) in
 * directories only their owner may enter (0700). The mode is set when the
 * file is created, so the secret is never readable by others, not even for a
 * moment. On file systems without POSIX permissions the files are written
 * plainly.
 */
public final class PrivateFiles {
  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");

  private PrivateFiles() {}

  /** Writes {@code content} to a new file of mode 0600, replacing any file of that name. */
  public static void write(Path file, String content) throws IOException {
    Files.deleteIfExists(file);
    try (var out = Files.newOutputStream(Files.createFile(file, attributes(FILE)), StandardOpenOption.WRITE)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Creates {@code dir} (and missing parents) and makes it mode 0700. */
  public static Path createDirectory(Path dir) throws IOException {
    Files.createDirectories(dir);
    if (POSIX) {
      Files.setPosixFilePermissions(dir, DIRECTORY);
    }
    return dir;
  }

  private static FileAttribute<?>[] attributes(Set<PosixFilePermission> permissions) {
    return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)} : new FileAttribute<?>[0];
  }
}
