package io.feitian.taskworker.process;

import io.feitian.common.files.SafeFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The files of one worker under {@code workRoot/<workerId>/}; see the package documentation. */
final class WorkerDirectory {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerDirectory.class);
  static final String RECORD_FILE = "worker.properties";

  private final Path root;

  WorkerDirectory(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  Path workDir() {
    return root.resolve("work");
  }

  Path stdout() {
    return root.resolve("stdout.log");
  }

  Path stderr() {
    return root.resolve("stderr.log");
  }

  Path recordFile() {
    return root.resolve(RECORD_FILE);
  }

  /** Written by the wrapper: its own pid, before it runs the program. */
  Path pidFile() {
    return root.resolve("pid");
  }

  /** Written by the wrapper: the program's exit status, after it ended. */
  Path exitStatusFile() {
    return root.resolve("exit_status");
  }

  /** Where the wrapper writes the exit status before renaming it into place. */
  Path exitStatusTempFile() {
    return root.resolve("exit_status.tmp");
  }

  /**
   * Written by the supervisor before it signals a worker; the wrapper does not start the program
   * once it exists. Holds the reason, for people.
   */
  Path killMarker() {
    return root.resolve("kill_requested");
  }

  /** Creates the directory, the working directory and empty log files; fails if it exists. */
  void create() throws IOException {
    Files.createDirectory(root);
    Files.createDirectory(workDir());
    Files.createFile(stdout());
    Files.createFile(stderr());
  }

  void writeRecord(WorkerRecord record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      record.toProperties().store(out, "feitian worker; written by the task-worker, do not edit");
      SafeFiles.writeAtomically(recordFile(), out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + recordFile(), e);
    }
  }

  /** Writes the kill marker; a failure is logged, not thrown: the signals matter more. */
  void writeKillMarker(String reason) {
    try {
      SafeFiles.writeAtomically(killMarker(), (reason + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      LOG.error("cannot write {}; a program starting right now may miss the SIGTERM", killMarker(), e);
    }
  }

  /** The persisted record; empty when there is none; throws when it exists but is unreadable. */
  Optional<WorkerRecord> readRecord() throws IOException {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(recordFile())) {
      p.load(in);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    return Optional.of(WorkerRecord.fromProperties(p));
  }

  OptionalInt readExitStatus() {
    OptionalLong status = readNumber(exitStatusFile());
    return status.isPresent() ? OptionalInt.of((int) status.getAsLong()) : OptionalInt.empty();
  }

  OptionalLong readWrapperPid() {
    return readNumber(pidFile());
  }

  private static OptionalLong readNumber(Path file) {
    try {
      return OptionalLong.of(Long.parseLong(Files.readString(file).trim()));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** Deletes the whole directory, logs included. */
  void delete() throws IOException {
    SafeFiles.deleteTree(root);
  }
}
