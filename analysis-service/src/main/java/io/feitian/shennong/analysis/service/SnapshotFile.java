package io.feitian.shennong.analysis.service;

import io.feitian.common.files.SafeFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The snapshot of the totals' history in the data directory ({@value #NAME}), written whole or not
 * at all ({@link SafeFiles#writeAtomically}). The leader's term writes it; a standby writes there
 * the copy it fetched, but only while it still stands by, so a fetch finishing after its own
 * election cannot put the old leader's history over its own.
 */
final class SnapshotFile {
  static final String NAME = "totals.snapshot";
  private final Path file;

  /** Makes the directory now: one that cannot be made is a configuration error at start. */
  SnapshotFile(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    this.file = dataDir.resolve(NAME);
  }

  Path path() {
    return file;
  }

  synchronized Optional<byte[]> read() throws IOException {
    try {
      return Optional.of(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  synchronized void write(byte[] snapshot) throws IOException {
    SafeFiles.writeAtomically(file, snapshot);
  }

  /** Writes a fetched copy if {@code standingBy} still holds; false when it did not. */
  synchronized boolean writeIf(BooleanSupplier standingBy, byte[] snapshot) throws IOException {
    if (!standingBy.getAsBoolean()) {
      return false;
    }
    SafeFiles.writeAtomically(file, snapshot);
    return true;
  }
}
