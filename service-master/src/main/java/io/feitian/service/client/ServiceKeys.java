package io.feitian.service.client;

import io.feitian.common.hash.Murmur3;
import java.nio.charset.StandardCharsets;

/**
 * The key space of services split by a partition count: an application's
 * key is routed by its 32-bit MurmurHash3 (x86, seed 0, of its UTF-8 bytes),
 * written as 8 lower-case hex digits, which sort like the hash.
 */
public final class ServiceKeys {
  private ServiceKeys() {}

  public static String hash(String applicationKey) {
    return String.format("%08x", Murmur3.hash32(applicationKey.getBytes(StandardCharsets.UTF_8), 0));
  }
}
