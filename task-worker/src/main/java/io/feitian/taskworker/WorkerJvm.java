package io.feitian.taskworker;

import io.feitian.proto.fuxi.v1.ThreadProgram;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The command line of a worker JVM for a thread program: this node's Java,
 * a heap that leaves room inside the grant's memory for the JVM's own
 * overhead (the memory watchdog counts the whole process group), the program's
 * classpath and main class.
 */
final class WorkerJvm {
  private static final Pattern CLASS_NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");
  /** Smallest heap worth starting a JVM with. */
  private static final long MIN_HEAP_MIB = 16;
  /**
   * What a worker JVM needs outside its heap, at least: metaspace, code cache, thread stacks, GC
   * structures, gRPC's direct buffers, and the instances' child processes. A job worker with a
   * 192 MiB heap in a 256 MiB grant (three quarters, the old rule) reached 259 MiB resident on a
   * loaded machine and was killed by the memory watchdog, failing every instance it ran.
   */
  static final long MIN_OVERHEAD_MIB = 128;

  private WorkerJvm() {}

  static List<String> argv(ThreadProgram p, long grantMemoryMib) {
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
    for (int i = 0; i < p.getJvmOptionsCount(); i++) {
      String o = p.getJvmOptions(i);
      if (!o.startsWith("-") || o.startsWith("-Xmx") || o.startsWith("-cp") || o.equals("-classpath")) {
        throw new IllegalArgumentException("spec.thread.jvm_options[" + i + "] is not allowed: '" + o
            + "' (options start with '-'; heap and classpath are set by the task-worker)");
      }
    }
    long heap = heapMib(grantMemoryMib);
    List<String> argv = new ArrayList<>();
    argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    argv.add("-Xmx" + heap + "m");
    argv.add("-XX:+ExitOnOutOfMemoryError");
    argv.addAll(p.getJvmOptionsList());
    argv.add("-cp");
    // No classpath: one of Feitian's own programs (a job-master), from this node's distribution.
    argv.add(p.getClasspathCount() == 0 ? System.getProperty("java.class.path") : String.join(":", p.getClasspathList()));
    argv.add(p.getMainClass());
    argv.addAll(p.getArgsList());
    return argv;
  }

  /**
   * The grant less the JVM's overhead: {@link #MIN_OVERHEAD_MIB}, or a tenth of larger grants
   * (the rule Spark uses for its executors, max(384 MiB, 10%), scaled to Feitian's smaller workers).
   */
  static long heapMib(long grantMemoryMib) {
    if (grantMemoryMib <= 0) {
      return 256;
    }
    long heap = grantMemoryMib - Math.max(MIN_OVERHEAD_MIB, grantMemoryMib / 10);
    if (heap < MIN_HEAP_MIB) {
      throw new IllegalArgumentException("the grant's memory (" + grantMemoryMib + " MiB) is too small for a worker JVM "
          + "(at least " + (MIN_HEAP_MIB + MIN_OVERHEAD_MIB) + " MiB: a heap of " + MIN_HEAP_MIB + " MiB and "
          + MIN_OVERHEAD_MIB + " MiB for the JVM's own memory)");
    }
    return heap;
  }
}
