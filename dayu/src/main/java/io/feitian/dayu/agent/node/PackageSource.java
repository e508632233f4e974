package io.feitian.dayu.agent.node;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the {@code fetch} step gets a module's release package (a gzip-compressed tar). The agent
 * implements it over dayu-server's FetchPackage stream; {@link DirectoryPackageSource} reads a
 * local directory. The step checks the size and {@code verify} the checksum, so a source need not.
 */
@FunctionalInterface
public interface PackageSource {
  /**
   * Writes the package of {@code module} at {@code version} to {@code target} (a new file the caller
   * renames once complete), giving up after {@code timeout}.
   *
   * @throws IOException when the package cannot be had; the message says why
   */
  void fetch(String module, String version, Path target, Duration timeout) throws IOException, InterruptedException;

  /** dayu-server knows this node as {@code host} in {@code rack} (a peer-to-peer source prefers its rack). */
  default void registered(String host, String rack) {}
}
