package io.feitian.common.app;

/**
 * How the memory of a grant that runs a thread program is split: the task-worker starts a worker
 * JVM whose heap is the grant less the JVM's own memory (the memory watchdog counts the whole
 * process group). The task-worker sizes the heap by {@link #heapMib}; submissions are checked
 * against {@link #MIN_GRANT_MIB} (through {@link FieldChecks#threadProgramMemory}), so a grant
 * too small for a worker JVM is refused when the job or service is submitted rather than when
 * its first worker starts.
 */
public final class ThreadProgramMemory {
  /** Smallest heap worth starting a JVM with. */
  public static final long MIN_HEAP_MIB = 16;
  /**
   * What a worker JVM needs outside its heap, at least: metaspace, code cache, thread stacks, GC
   * structures, gRPC's direct buffers, and the instances' child processes. A job worker with a
   * 192 MiB heap in a 256 MiB grant (three quarters, the old rule) reached 259 MiB resident on a
   * loaded machine and was killed by the memory watchdog, failing every instance it ran.
   */
  public static final long MIN_OVERHEAD_MIB = 128;
  /** The smallest grant a thread program can run in: the smallest heap and the overhead. */
  public static final long MIN_GRANT_MIB = MIN_HEAP_MIB + MIN_OVERHEAD_MIB;

  private ThreadProgramMemory() {}

  /**
   * The grant less the JVM's overhead: {@link #MIN_OVERHEAD_MIB}, or a tenth of larger grants
   * (the rule Spark uses for its executors, max(384 MiB, 10%), scaled to Feitian's smaller workers).
   * A grant without memory gets 256 MiB; one under {@link #MIN_GRANT_MIB} is refused.
   */
  public static long heapMib(long grantMemoryMib) {
    if (grantMemoryMib <= 0) {
      return 256;
    }
    if (grantMemoryMib < MIN_GRANT_MIB) {
      throw new IllegalArgumentException("the grant's memory (" + grantMemoryMib + " MiB) is too small for a worker JVM "
          + "(" + needs() + ")");
    }
    return grantMemoryMib - Math.max(MIN_OVERHEAD_MIB, grantMemoryMib / 10);
  }

  /** Why {@link #MIN_GRANT_MIB}, for messages. */
  static String needs() {
    return "at least " + MIN_GRANT_MIB + " MiB: a heap of " + MIN_HEAP_MIB + " MiB and " + MIN_OVERHEAD_MIB
        + " MiB for the JVM's own memory";
  }
}
