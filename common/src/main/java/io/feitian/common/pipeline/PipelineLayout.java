package io.feitian.common.pipeline;

import io.feitian.common.files.SafeFiles;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where the pipeline outputs of offline jobs live on a node. Shared by the
 * writer (an instance running in a Task Worker) and the server (the node's
 * task-worker), so both agree on every path:
 *
 * <pre>
 * &lt;root&gt;/&lt;app_id&gt;/&lt;task&gt;/&lt;instance&gt;-&lt;attempt&gt;/&lt;to_task&gt;/part-&lt;partition, 5 digits&gt;    committed
 * &lt;root&gt;/&lt;app_id&gt;/&lt;task&gt;/.&lt;instance&gt;-&lt;attempt&gt;.tmp-&lt;random&gt;/...                      being written
 * </pre>
 *
 * <p>An attempt is written under its temporary name and committed by one
 * atomic rename of the whole directory, so whoever finds a committed path
 * finds every file of the attempt complete. A committed directory is never
 * replaced: a retried instance writes under another attempt number.
 *
 * <p>Every name is checked before it becomes part of a path (app ids
 * {@code app-<number>}, task names {@code [A-Za-z0-9_-]{1,64}}, numbers
 * non-negative), so no request can name anything outside the root. Errors
 * are {@link IllegalArgumentException}s naming the field as it is called on
 * the wire.
 */
public final class PipelineLayout {
  /** The store's directory under a task-worker's work-dir. */
  public static final String DIRECTORY = "pipeline";
  private static final Pattern APP_ID = Pattern.compile("app-[0-9]{1,19}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final String TEMP_MARK = ".tmp-";

  private final Path root;

  public PipelineLayout(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /** The store of the task-worker whose work-dir this is. */
  public static PipelineLayout inWorkDir(Path taskWorkerWorkDir) {
    return new PipelineLayout(taskWorkerWorkDir.resolve(DIRECTORY));
  }

  public Path root() {
    return root;
  }

  /** Everything the node stores for one application. */
  public Path appDir(String appId) {
    return root.resolve(checkAppId(appId));
  }

  /** The committed directory of an attempt (it exists only once committed). */
  public Path attemptDir(AttemptId attempt) {
    return taskDir(attempt).resolve(attempt.directoryName());
  }

  /** A committed file: what a downstream instance fetches. */
  public Path file(AttemptId attempt, String toTask, int partition) {
    return partFile(attemptDir(attempt), toTask, partition);
  }

  /** {@code <attemptDir>/<to_task>/part-NNNNN}, for a committed or a temporary attempt directory. */
  public static Path partFile(Path attemptDir, String toTask, int partition) {
    return attemptDir.resolve(checkName("to_task", toTask)).resolve(partName(partition));
  }

  /** {@code part-} and the partition in at least 5 digits, so names sort by partition. */
  public static String partName(int partition) {
    return String.format(Locale.ROOT, "part-%05d", checkIndex("partition", partition));
  }

  /** Creates a fresh temporary directory for the attempt to write into. */
  public PendingAttempt begin(AttemptId attempt) throws IOException {
    Path taskDir = Files.createDirectories(taskDir(attempt));
    Path temp = Files.createTempDirectory(taskDir, "." + attempt.directoryName() + TEMP_MARK);
    return new PendingAttempt(this, attempt, temp);
  }

  /**
   * Renames a written temporary directory to the attempt's committed name.
   * Checking first gives the usual case (a commit repeated) a clear error;
   * two commits racing for the same attempt are also refused by rename(2)
   * itself as long as the attempt holds a file, because it never replaces a
   * non-empty directory.
   */
  Path commit(AttemptId attempt, Path temp) throws IOException {
    Path target = attemptDir(attempt);
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw alreadyCommitted(attempt, target);
    }
    try {
      return Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileSystemException e) {
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        throw alreadyCommitted(attempt, target);
      }
      throw e;
    }
  }

  private static FileAlreadyExistsException alreadyCommitted(AttemptId attempt, Path target) {
    return new FileAlreadyExistsException(target.toString(), null,
        "attempt " + attempt + " is already committed; a new attempt needs a new attempt number");
  }

  /**
   * Deletes everything stored for an application.
   *
   * @return the bytes its files held (0 if there was nothing)
   */
  public long deleteApp(String appId) throws IOException {
    return SafeFiles.deleteTree(appDir(appId));
  }

  /** Whether a directory name under the root is an application's. */
  public static boolean isAppId(String name) {
    return APP_ID.matcher(name).matches();
  }

  public static String checkAppId(String appId) {
    if (appId == null || !isAppId(appId)) {
      throw new IllegalArgumentException("app_id must match app-<number>, got '" + appId + "'");
    }
    return appId;
  }

  /** A task name: {@code [A-Za-z0-9_-]{1,64}}, so never "." or ".." and never a separator. */
  public static String checkName(String field, String value) {
    if (value == null || !NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(field + " must match " + NAME.pattern() + ", got '" + value + "'");
    }
    return value;
  }

  public static int checkIndex(String field, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(field + " must be >= 0, got " + value);
    }
    return value;
  }

  private Path taskDir(AttemptId attempt) {
    return appDir(attempt.appId()).resolve(attempt.task());
  }
}
