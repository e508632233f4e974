package io.feitian.common.pipeline;

import io.feitian.common.files.SafeFiles;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * An attempt's outputs being written, in a temporary directory nobody
 * serves. {@link #commit} publishes all of them at once; {@link #close}
 * without a commit deletes them (the attempt failed or was cancelled).
 * Not thread-safe: one attempt has one writer.
 */
public final class PendingAttempt implements Closeable {
  private enum State { WRITING, COMMITTED, ABANDONED }

  private final PipelineLayout layout;
  private final AttemptId attempt;
  private final Path dir;
  private State state = State.WRITING;

  PendingAttempt(PipelineLayout layout, AttemptId attempt, Path dir) {
    this.layout = layout;
    this.attempt = attempt;
    this.dir = dir;
  }

  public AttemptId attempt() {
    return attempt;
  }

  /** The temporary directory. */
  public Path dir() {
    return dir;
  }

  /** Where to write the file of one partition of the pipeline to {@code toTask}; its directory is created. */
  public Path file(String toTask, int partition) throws IOException {
    checkWriting();
    Path file = PipelineLayout.partFile(dir, toTask, partition);
    Files.createDirectories(file.getParent());
    return file;
  }

  /**
   * Publishes every file written, atomically.
   *
   * @return the committed directory
   * @throws java.nio.file.FileAlreadyExistsException if the attempt was committed before
   *     (this directory is left for {@link #close} to delete)
   */
  public Path commit() throws IOException {
    checkWriting();
    Path committed = layout.commit(attempt, dir);
    state = State.COMMITTED;
    return committed;
  }

  /** Deletes what was written, unless it was committed. */
  @Override
  public void close() throws IOException {
    if (state == State.WRITING) {
      state = State.ABANDONED;
      SafeFiles.deleteTree(dir);
    }
  }

  private void checkWriting() {
    if (state != State.WRITING) {
      throw new IllegalStateException("attempt " + attempt + " is " + state.name().toLowerCase(Locale.ROOT));
    }
  }
}
