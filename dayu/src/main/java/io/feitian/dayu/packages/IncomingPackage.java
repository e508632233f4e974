package io.feitian.dayu.packages;

import io.feitian.common.files.SafeFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * An upload being received: a file in the store's {@code .incoming} directory, written and hashed
 * as the bytes arrive. Closing it deletes the file, once it is published (into the database) or when
 * it is refused or abandoned, so an upload leaves nothing behind. Not thread-safe: one upload's messages
 * arrive one at a time.
 */
public final class IncomingPackage implements AutoCloseable {
  private final Path file;
  private final FileChannel channel;
  private final MessageDigest sha256;
  private long size;
  private String digest;

  IncomingPackage(Path file) throws IOException {
    this.file = file;
    this.channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    this.sha256 = SafeFiles.sha256();
  }

  /** Appends {@code data} (consumed) to the file and the checksum. */
  public void write(ByteBuffer data) {
    if (digest != null) {
      throw new IllegalStateException("the package was finished");
    }
    sha256.update(data.duplicate());
    try {
      while (data.hasRemaining()) {
        size += channel.write(data);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** The bytes received so far. */
  public long size() {
    return size;
  }

  /**
   * Ends the upload: the file is forced to disk (it is about to be published, perhaps to agents
   * after a crash) and closed. Returns its SHA-256 in lowercase hex.
   */
  public String finish() {
    if (digest == null) {
      try {
        channel.force(true);
        channel.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
      }
      digest = HexFormat.of().formatHex(sha256.digest());
    }
    return digest;
  }

  /** The file received, in {@code .incoming}. */
  public Path file() {
    return file;
  }

  /** Deletes the file. */
  @Override
  public void close() {
    try {
      channel.close();
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + file + ": " + e.getMessage(), e);
    }
  }
}
