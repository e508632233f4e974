package io.feitian.dayu.packages;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where dayu-server receives uploads: files in {@code <root>/.incoming}, checked there and then
 * published into the configuration database (which keeps the packages, so that a standby serves
 * them after it takes over: {@link io.feitian.dayu.db.ModuleStore#publish}), and deleted.
 * Releases before the database kept packages stored them as {@code <root>/<module>/<version>.tar.gz};
 * those files are no longer read. Thread-safe.
 */
public final class PackageStore {
  private static final Logger log = LoggerFactory.getLogger(PackageStore.class);
  private static final String INCOMING = ".incoming";

  private final Path root;
  private final Path incoming;

  private PackageStore(Path root) {
    this.root = root;
    this.incoming = root.resolve(INCOMING);
  }

  /**
   * The store under {@code root}, created if missing. Uploads a stopped server was receiving are
   * deleted: no one will finish them.
   */
  public static PackageStore open(Path root) {
    PackageStore store = new PackageStore(root);
    try {
      Files.createDirectories(store.incoming);
      try (DirectoryStream<Path> left = Files.newDirectoryStream(store.incoming)) {
        for (Path p : left) {
          log.info("deleting {}, an upload a previous server did not finish", p);
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the package store " + root + ": " + e.getMessage(), e);
    }
    return store;
  }

  public Path root() {
    return root;
  }

  /** Starts receiving an upload, into a new file on the store's file system. */
  public IncomingPackage receive() {
    try {
      return new IncomingPackage(Files.createTempFile(incoming, "upload-", ".tar.gz"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a file in " + incoming + ": " + e.getMessage(), e);
    }
  }

}
