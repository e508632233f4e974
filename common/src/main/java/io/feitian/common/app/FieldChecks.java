package io.feitian.common.app;

import io.feitian.common.resource.ResourceProtos;
import io.feitian.common.resource.ResourceVector;
import io.feitian.proto.common.v1.Resources;
import java.util.Collection;
import java.util.regex.Pattern;

/**
 * The checks every kind's description validator makes, with errors that
 * start with the field (under a prefix such as "spec.description.") and say
 * what is wrong: IllegalArgumentException, which the servers turn into
 * INVALID_ARGUMENT and the CLI into a one-line message.
 */
public final class FieldChecks {
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
      throw bad(field, "must match " + pattern.pattern() + ", got '" + value + "'");
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

  /** Environment variable names a user may set (FEITIAN_* is the platform's). */
  public void envNames(String field, Collection<String> names) {
    for (String name : names) {
      if (name.isEmpty() || name.contains("=") || name.startsWith("FEITIAN_")) {
        throw bad(field, "name '" + name + "' is not allowed (FEITIAN_* is reserved)");
      }
    }
  }
}
