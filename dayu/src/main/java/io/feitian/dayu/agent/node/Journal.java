package io.feitian.dayu.agent.node;

import io.feitian.common.files.SafeFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which steps of a task are done, one file per (module, version, purpose):
 * {@code journal/MODULE@VERSION.PURPOSE}, rewritten atomically after every step that succeeded.
 *
 * <pre>
 *   # dayu-agent: steps done of upgrade task-worker 0.2.0 from 0.1.0
 *   task=3f1a...        SHA-256 of everything that defines the task
 *   steps=fetch,verify,install,configure,stop,start,health-check
 *   done=0,1,2
 * </pre>
 *
 * A journal counts only for the very task it was written for (same steps, package, versions and
 * parameters: the {@code task} fingerprint); another task of the same name, e.g. with new parameter
 * values, starts from nothing. When a task writes its first entry, the module's journals of other
 * tasks are deleted: the module's state has moved on, and a later deploy of a version removed
 * meanwhile must run again rather than find itself done.
 */
final class Journal {
  private final NodeLayout layout;

  Journal(NodeLayout layout) {
    this.layout = layout;
  }

  /** The indexes of the task's steps recorded done (none when the journal is absent or of another task). */
  Set<Integer> done(NodeTask task) throws IOException {
    Optional<String> text = NodeFiles.read(file(task));
    if (text.isEmpty() || !field(text.get(), "task").equals(fingerprint(task))) {
      return Set.of();
    }
    String done = field(text.get(), "done");
    return done.isEmpty() ? Set.of()
        : Stream.of(done.split(",")).map(Integer::valueOf).collect(Collectors.toCollection(TreeSet::new));
  }

  void markDone(NodeTask task, int index) throws IOException {
    Set<Integer> done = new TreeSet<>(done(task));
    if (done.isEmpty()) {
      deleteOthers(task);
    }
    if (!done.add(index)) {
      return;
    }
    SafeFiles.writeAtomically(file(task), "# dayu-agent: steps done of " + task + "\n"
        + "task=" + fingerprint(task) + "\n"
        + "steps=" + task.steps().stream().map(s -> s.kind().word()).collect(Collectors.joining(",")) + "\n"
        + "done=" + done.stream().map(String::valueOf).collect(Collectors.joining(",")) + "\n");
  }

  private void deleteOthers(NodeTask task) throws IOException {
    Path dir = layout.journalDir();
    if (!Files.isDirectory(dir)) {
      return;
    }
    Path mine = file(task);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (f.getFileName().toString().startsWith(task.module() + "@") && !f.equals(mine)) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  Path file(NodeTask task) {
    return layout.journalDir().resolve(task.module() + "@" + task.version() + "."
        + task.purpose().name().toLowerCase(Locale.ROOT));
  }

  private static String field(String text, String name) {
    return text.lines().filter(l -> l.startsWith(name + "=")).map(l -> l.substring(name.length() + 1))
        .findFirst().orElse("");
  }

  /**
   * SHA-256 of what defines the task. Maps are sorted first: their iteration order changes from one
   * JVM to the next, and the fingerprint must not. The descriptor counts through the package's
   * checksum (a published version never changes) and the steps.
   */
  static String fingerprint(NodeTask task) {
    String steps = task.steps().stream().map(s -> s.kind().word() + new TreeMap<>(s.params()))
        .collect(Collectors.joining(","));
    String text = String.join("\n", task.purpose().name(), task.fromVersion(), task.toVersion(), task.sha256(),
        Long.toString(task.size()), steps, new TreeMap<>(task.parameters()).toString());
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
