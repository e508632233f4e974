package io.feitian.common.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * File operations that daemons rely on across crashes and restarts: a write a reader sees whole or
 * not at all, a tree deleted even while another process deletes it too, a file's checksum.
 */
public final class SafeFiles {
  private SafeFiles() {}

  /**
   * Replaces {@code target}'s content: written to a temporary sibling, forced to disk and renamed
   * over it, so that a reader, or the daemon restarted after a crash, sees the old content or the
   * new, never part of it. Creates the parent directories.
   */
  public static void writeAtomically(Path target, byte[] content) throws IOException {
    Files.createDirectories(target.toAbsolutePath().getParent());
    Path temp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** {@link #writeAtomically(Path, byte[])} of {@code text} in UTF-8. */
  public static void writeAtomically(Path target, String text) throws IOException {
    writeAtomically(target, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Deletes {@code root} and everything under it; nothing when it is absent. Symbolic links are
   * deleted, never followed. Files that vanish meanwhile (another process deleting the same tree)
   * are no error. Returns the bytes the files it deleted held.
   */
  public static long deleteTree(Path root) throws IOException {
    long[] bytes = {0};
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (Files.deleteIfExists(file)) {
          bytes[0] += attrs.size();
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null && !(e instanceof NoSuchFileException)) {
          throw e;
        }
        Files.deleteIfExists(dir);
        return FileVisitResult.CONTINUE;
      }
    });
    return bytes[0];
  }

  /** A new SHA-256 digest (every Java runtime has one). */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** Lowercase hex SHA-256 of the file's content, read in 64 KiB blocks. */
  public static String sha256(Path file) throws IOException {
    MessageDigest digest = sha256();
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
