package io.feitian.taskworker.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
      writeAtomically(recordFile(), out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + recordFile(), e);
    }
  }

  /** Writes the kill marker; a failure is logged, not thrown: the signals matter more. */
  void writeKillMarker(String reason) {
    try {
      writeAtomically(killMarker(), (reason + "\n").getBytes(StandardCharsets.UTF_8));
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
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /** Writes to a temporary sibling, forces it to disk, and renames it over {@code target}. */
  static void writeAtomically(Path target, byte[] content) throws IOException {
    Path temp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel channel =
        FileChannel.open(
            temp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
