package io.feitian.common.resource;

import io.feitian.proto.common.v1.Resources;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Converts resource vectors to and from the wire, checking what arrives. */
public final class ResourceProtos {
  private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,32}");

  private ResourceProtos() {}

  /**
   * The vector of a wire message.
   *
   * @param field the message's field path, named in errors ("spec.master_resources")
   * @throws IllegalArgumentException naming the field when a quantity is negative or a name is bad
   */
  public static ResourceVector fromProto(String field, Resources r) {
    if (r.getCpuMillis() < 0) {
      throw new IllegalArgumentException(field + ".cpu_millis must be >= 0, got " + r.getCpuMillis());
    }
    if (r.getMemoryMib() < 0) {
      throw new IllegalArgumentException(field + ".memory_mib must be >= 0, got " + r.getMemoryMib());
    }
    Map<String, Long> named = new TreeMap<>();
    for (Map.Entry<String, Long> e : r.getNamedMap().entrySet()) {
      if (!NAME.matcher(e.getKey()).matches()) {
        throw new IllegalArgumentException(field + ".named has a bad name '" + e.getKey() + "' (expected [a-z0-9_-]{1,32})");
      }
      if (e.getValue() < 0) {
        throw new IllegalArgumentException(field + ".named[" + e.getKey() + "] must be >= 0, got " + e.getValue());
      }
      if (e.getValue() > 0) {
        named.put(e.getKey(), e.getValue());
      }
    }
    return ResourceVector.of(r.getCpuMillis(), r.getMemoryMib(), named);
  }

  public static Resources toProto(ResourceVector v) {
    return Resources.newBuilder()
        .setCpuMillis(v.cpuMillis())
        .setMemoryMib(v.memoryMib())
        .putAllNamed(v.named())
        .build();
  }
}
