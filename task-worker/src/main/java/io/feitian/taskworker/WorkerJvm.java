package io.feitian.taskworker;

import io.feitian.common.app.ThreadProgramMemory;
import io.feitian.proto.fuxi.v1.ThreadProgram;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The command line of a worker JVM for a thread program: this node's Java,
 * a heap that leaves room inside the grant's memory for the JVM's own
 * overhead ({@link ThreadProgramMemory}: the memory watchdog counts the whole
 * process group), the node's options ({@code task-worker.thread-jvm-options}),
 * then the program's own (so that a program's option wins), its classpath and
 * main class.
 */
final class WorkerJvm {
  private static final Pattern CLASS_NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");

  private WorkerJvm() {}

  static List<String> argv(ThreadProgram p, long grantMemoryMib, List<String> nodeOptions) {
    if (!CLASS_NAME.matcher(p.getMainClass()).matches()) {
      throw new IllegalArgumentException("spec.thread.main_class is not a class name: '" + p.getMainClass() + "'");
    }
    for (int i = 0; i < p.getClasspathCount(); i++) {
      Path entry = Path.of(p.getClasspath(i));
      if (!entry.isAbsolute() || !Files.exists(entry)) {
        throw new IllegalArgumentException("spec.thread.classpath[" + i + "] is not an existing absolute path on this node: "
            + p.getClasspath(i));
      }
    }
    checkOptions("spec.thread.jvm_options", p.getJvmOptionsList());
    long heap = ThreadProgramMemory.heapMib(grantMemoryMib);
    List<String> argv = new ArrayList<>();
    argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    argv.add("-Xmx" + heap + "m");
    argv.add("-XX:+ExitOnOutOfMemoryError");
    argv.addAll(nodeOptions);
    argv.addAll(p.getJvmOptionsList());
    argv.add("-cp");
    // No classpath: one of Feitian's own programs (a job-master), from this node's distribution.
    argv.add(p.getClasspathCount() == 0 ? System.getProperty("java.class.path") : String.join(":", p.getClasspathList()));
    argv.add(p.getMainClass());
    argv.addAll(p.getArgsList());
    return argv;
  }

  /** JVM options as a program or the node's settings give them: no heap or classpath, which the task-worker sets. */
  static void checkOptions(String field, List<String> options) {
    for (int i = 0; i < options.size(); i++) {
      String o = options.get(i);
      if (!o.startsWith("-") || o.startsWith("-Xmx") || o.startsWith("-cp") || o.equals("-classpath")) {
        throw new IllegalArgumentException(field + "[" + i + "] is not allowed: '" + o
            + "' (options start with '-'; heap and classpath are set by the task-worker)");
      }
    }
  }
}
