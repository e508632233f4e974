package io.feitian.common.app;

import io.feitian.common.grpc.Echo;
import io.feitian.common.resource.ResourceProtos;
import io.feitian.common.resource.ResourceVector;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The checks every kind's description validator makes, with errors that
 * start with the field (under a prefix such as "spec.description.") and say
 * what is wrong: IllegalArgumentException, which the servers turn into
 * INVALID_ARGUMENT and the CLI into a one-line message. The limits are
 * listed in docs/ARCHITECTURE.md ("Limits").
 */
public final class FieldChecks {
  /** Free text that is stored or logged: reasons, diagnostics. */
  public static final int MAX_TEXT_BYTES = 4 * 1024;
  /** One string of a program to launch: an argument, a JVM option, a classpath entry, an environment variable. */
  public static final int MAX_LAUNCH_STRING_BYTES = 32 * 1024;
  /** A whole program to launch, serialized (it is stored with its application, in one ZooKeeper record). */
  public static final int MAX_LAUNCH_BYTES = 128 * 1024;

  private final String prefix;

  public FieldChecks(String prefix) {
    this.prefix = prefix;
  }

  public IllegalArgumentException bad(String field, String problem) {
    return new IllegalArgumentException(prefix + field + " " + problem);
  }

  /** A name or label that must match {@code pattern}. */
  public void matches(String field, String value, Pattern pattern) {
    if (!pattern.matcher(value).matches()) {
      throw bad(field, "must match " + pattern.pattern() + ", got " + Echo.quote(value));
    }
  }

  /** The resources of one worker: present, valid, and some CPU and memory. */
  public ResourceVector workerResources(String field, boolean present, Resources resources) {
    if (!present) {
      throw bad(field, "is required (cpu_millis and memory_mib of one worker)");
    }
    ResourceVector v = ResourceProtos.fromProto(prefix + field, resources);
    if (v.cpuMillis() == 0 || v.memoryMib() == 0) {
      throw bad(field, "must ask for some CPU and memory, got " + v);
    }
    return v;
  }

  /**
   * The memory of a worker that runs as a thread program, in a worker JVM: at least
   * {@link ThreadProgramMemory#MIN_GRANT_MIB}, which the task-worker would otherwise refuse only when
   * the worker starts. {@code field} names the memory itself, e.g. "tasks[2].resources.memory_mib".
   */
  public void threadProgramMemory(String field, long memoryMib) {
    if (memoryMib < ThreadProgramMemory.MIN_GRANT_MIB) {
      throw bad(field, "is " + memoryMib + " MiB, too little for the worker JVM a thread program runs in ("
          + ThreadProgramMemory.needs() + ")");
    }
  }

  /** Environment variable names a user may set (FEITIAN_* is the platform's). */
  public void envNames(String field, Collection<String> names) {
    for (String name : names) {
      if (name.isEmpty() || name.contains("=") || name.startsWith("FEITIAN_")) {
        throw bad(field, "name " + Echo.quote(name) + " is not allowed (FEITIAN_* is reserved)");
      }
    }
  }

  /** A number within [min, max]. */
  public void between(String field, long value, long min, long max) {
    if (value < min || value > max) {
      throw bad(field, "must be between " + min + " and " + max + ", got " + value);
    }
  }

  /** Text of at most {@code limit} bytes (UTF-8). */
  public void maxBytes(String field, String value, int limit) {
    if (value.length() > limit / 3) {
      sized(field, value.getBytes(StandardCharsets.UTF_8).length, limit);
    }
  }

  private void sized(String field, long bytes, int limit) {
    if (bytes > limit) {
      throw bad(field, "is " + bytes + " bytes; at most " + limit + " are allowed");
    }
  }

  /** A program to launch: each string at most MAX_LAUNCH_STRING_BYTES, the whole at most MAX_LAUNCH_BYTES. */
  public void launch(String field, LaunchSpec spec) {
    maxBytes(field + ".name", spec.getName(), MAX_LAUNCH_STRING_BYTES);
    launchStrings(field + ".process.argv", spec.getProcess().getArgvList());
    maxBytes(field + ".thread.main_class", spec.getThread().getMainClass(), MAX_LAUNCH_STRING_BYTES);
    launchStrings(field + ".thread.classpath", spec.getThread().getClasspathList());
    launchStrings(field + ".thread.args", spec.getThread().getArgsList());
    launchStrings(field + ".thread.jvm_options", spec.getThread().getJvmOptionsList());
    for (Map.Entry<String, String> e : spec.getEnvMap().entrySet()) {
      String f = field + ".env[" + Echo.quote(e.getKey()) + "]";
      maxBytes(f, e.getKey(), MAX_LAUNCH_STRING_BYTES);
      maxBytes(f, e.getValue(), MAX_LAUNCH_STRING_BYTES);
    }
    sized(field, spec.getSerializedSize(), MAX_LAUNCH_BYTES);
  }

  private void launchStrings(String field, List<String> values) {
    for (int i = 0; i < values.size(); i++) {
      maxBytes(field + "[" + i + "]", values.get(i), MAX_LAUNCH_STRING_BYTES);
    }
  }
}
