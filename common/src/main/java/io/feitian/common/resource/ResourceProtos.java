package io.feitian.common.resource;

import io.feitian.common.grpc.Echo;
import io.feitian.proto.common.v1.Resources;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Converts resource vectors to and from the wire, checking what arrives. */
public final class ResourceProtos {
  private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,32}");
  /**
   * The largest amount of any dimension on the wire (2^40: a billion cores in
   * millicores, an exbibyte in MiB), far above any cluster and low enough
   * that sums over millions of nodes or grants cannot overflow.
   */
  public static final long MAX_AMOUNT = 1L << 40;

  private ResourceProtos() {}

  /**
   * The vector of a wire message.
   *
   * @param field the message's field path, named in errors ("spec.master_resources")
   * @throws IllegalArgumentException naming the field when a quantity is negative or above
   *     {@link #MAX_AMOUNT}, or a name is bad
   */
  public static ResourceVector fromProto(String field, Resources r) {
    checkAmount(field + ".cpu_millis", r.getCpuMillis());
    checkAmount(field + ".memory_mib", r.getMemoryMib());
    Map<String, Long> named = new TreeMap<>();
    for (Map.Entry<String, Long> e : r.getNamedMap().entrySet()) {
      if (!NAME.matcher(e.getKey()).matches()) {
        throw new IllegalArgumentException(field + ".named has a bad name " + Echo.quote(e.getKey())
            + " (expected [a-z0-9_-]{1,32})");
      }
      checkAmount(field + ".named[" + e.getKey() + "]", e.getValue());
      if (e.getValue() > 0) {
        named.put(e.getKey(), e.getValue());
      }
    }
    return ResourceVector.of(r.getCpuMillis(), r.getMemoryMib(), named);
  }

  private static void checkAmount(String field, long amount) {
    if (amount < 0 || amount > MAX_AMOUNT) {
      throw new IllegalArgumentException(field + " must be between 0 and " + MAX_AMOUNT + " (2^40), got " + amount);
    }
  }

  public static Resources toProto(ResourceVector v) {
    return Resources.newBuilder()
        .setCpuMillis(v.cpuMillis())
        .setMemoryMib(v.memoryMib())
        .putAllNamed(v.named())
        .build();
  }
}
