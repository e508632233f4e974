package io.feitian.dayu.agent.node;

import io.feitian.common.files.SafeFiles;
import io.feitian.dayu.descriptor.DescriptorParser;
import io.feitian.dayu.descriptor.Version;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The {@code install} step and the removal of a module's files. Every change is one rename, so a
 * crash leaves either the old state or the new:
 *
 * <ul>
 *   <li>the package is unpacked (by tar) into {@code .unpack-VERSION} and that directory renamed to
 *       {@code VERSION}: a version directory exists only complete. The package's root is the
 *       directory holding {@code dayu-module.conf}: the archive's top, or its single top directory
 *       (as {@code tar -czf x.tar.gz name-1.0/} makes);
 *   <li>{@code current} is switched by renaming a new link over it (rename(2) replaces atomically);
 *   <li>old versions beyond {@code keep} are deleted, newest kept; never the current one nor one in
 *       use (a running process's), so an upgrade that installs before it stops keeps the old files.
 * </ul>
 */
final class Installer {
  private static final Duration UNPACK_TIMEOUT = Duration.ofMinutes(10);
  private static final String UNPACKING = ".unpack-";

  private final NodeLayout layout;

  Installer(NodeLayout layout) {
    this.layout = layout;
  }

  /** Installs {@code version} of {@code module} from its fetched package and makes it current; says what changed. */
  String install(String module, String version, int keep, Set<String> inUse) throws IOException, InterruptedException {
    Path dir = layout.versionDir(module, version);
    List<String> did = new ArrayList<>();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      unpack(module, version, dir);
      did.add("unpacked " + version);
    }
    if (switchCurrent(module, version)) {
      did.add("current -> " + version);
    }
    Set<String> protect = new HashSet<>(inUse);
    protect.add(version);
    List<String> removed = prune(module, keep, protect);
    if (!removed.isEmpty()) {
      did.add("removed old " + String.join(", ", removed));
    }
    return did.isEmpty() ? version + " already installed and current" : String.join("; ", did);
  }

  private void unpack(String module, String version, Path dir) throws IOException, InterruptedException {
    Path pkg = layout.packageFile(module, version);
    if (!Files.isRegularFile(pkg)) {
      throw new IOException("no package " + pkg + " to install (fetch first)");
    }
    Path tmp = layout.moduleDir(module).resolve(UNPACKING + version);
    SafeFiles.deleteTree(tmp);
    Files.createDirectories(tmp);
    try {
      Commands.Outcome out = Commands.run(
          List.of("tar", "-xzf", pkg.toString(), "-C", tmp.toString(), "--no-same-owner"), UNPACK_TIMEOUT);
      if (!out.ok()) {
        throw new IOException("cannot unpack " + pkg + ": tar " + out.describe());
      }
      Files.move(packageRoot(tmp, pkg), dir, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      SafeFiles.deleteTree(tmp);
    }
  }

  private static Path packageRoot(Path unpacked, Path pkg) throws IOException {
    if (Files.isRegularFile(unpacked.resolve(DescriptorParser.FILE_NAME))) {
      return unpacked;
    }
    try (Stream<Path> top = Files.list(unpacked)) {
      List<Path> entries = top.toList();
      if (entries.size() == 1 && Files.isDirectory(entries.get(0), LinkOption.NOFOLLOW_LINKS)
          && Files.isRegularFile(entries.get(0).resolve(DescriptorParser.FILE_NAME))) {
        return entries.get(0);
      }
    }
    throw new IOException(pkg + " has no " + DescriptorParser.FILE_NAME + " at its top or in its single top directory");
  }

  /** Points {@code current} at {@code version}; whether it had to change. */
  private boolean switchCurrent(String module, String version) throws IOException {
    if (current(module).filter(version::equals).isPresent()) {
      return false;
    }
    Path link = layout.current(module);
    Path tmp = link.resolveSibling(".current.tmp");
    Files.deleteIfExists(tmp);
    Files.createSymbolicLink(tmp, Path.of(version));
    Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE);
    return true;
  }

  /** The version {@code current} points at, if any. */
  Optional<String> current(String module) throws IOException {
    Path link = layout.current(module);
    return Files.isSymbolicLink(link) ? Optional.of(Files.readSymbolicLink(link).toString()) : Optional.empty();
  }

  /** The installed versions of {@code module}, newest first. */
  List<String> installed(String module) throws IOException {
    Path dir = layout.moduleDir(module);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
          .map(p -> p.getFileName().toString())
          .filter(Installer::isVersion)
          .sorted(Comparator.comparing(Version::parse).reversed())
          .toList();
    }
  }

  private static boolean isVersion(String name) {
    try {
      Version.parse(name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Deletes installed versions (and their packages) beyond the newest {@code keep}, never one of {@code protect}. */
  private List<String> prune(String module, int keep, Set<String> protect) throws IOException {
    List<String> versions = installed(module);
    Set<String> kept = new HashSet<>(protect);
    current(module).ifPresent(kept::add);
    kept.retainAll(versions);
    for (String v : versions) {
      if (kept.size() >= keep) {
        break;
      }
      kept.add(v);
    }
    List<String> removed = new ArrayList<>();
    for (String v : versions) {
      if (!kept.contains(v)) {
        SafeFiles.deleteTree(layout.versionDir(module, v));
        Files.deleteIfExists(layout.packageFile(module, v));
        removed.add(v);
      }
    }
    return removed;
  }

  /** Deletes everything of {@code module}: its versions, link, logs and packages. */
  void uninstall(String module) throws IOException {
    SafeFiles.deleteTree(layout.moduleDir(module));
    SafeFiles.deleteTree(layout.packages(module));
  }
}
