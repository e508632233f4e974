package io.feitian.dayu.agent.node;

import io.feitian.common.files.SafeFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** The node side's reads and conditional writes of small text files (state, rendered configuration). */
final class NodeFiles {
  private NodeFiles() {}

  /** Writes {@code text} unless the file already holds it; whether it wrote. Leaves the file (and its time) alone otherwise. */
  static boolean writeIfChanged(Path file, String text) throws IOException {
    if (read(file).filter(text::equals).isPresent()) {
      return false;
    }
    SafeFiles.writeAtomically(file, text);
    return true;
  }

  /** The file's text, empty when it does not exist. */
  static Optional<String> read(Path file) throws IOException {
    try {
      return Optional.of(Files.readString(file));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }
}
