package io.feitian.dayu.packages;

import io.feitian.common.grpc.Echo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * dayu-server's published release packages, one file per version:
 * {@code <root>/<module>/<version>.tar.gz}. Uploads are received in {@code <root>/.incoming} (a
 * name no module can take) and renamed into place when published, so a package's file is either
 * absent or whole. Thread-safe.
 */
public final class PackageStore {
  private static final Logger log = LoggerFactory.getLogger(PackageStore.class);
  private static final String INCOMING = ".incoming";
  /** What a module or version must look like to name a file (the database's rules are narrower). */
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");

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

  /** Where the package of {@code module} at {@code version} is (or would be) kept. */
  public Path path(String module, String version) {
    return root.resolve(segment("module", module)).resolve(segment("version", version) + ".tar.gz");
  }

  /**
   * Publishes a finished upload as {@code module} at {@code version}, one publication at a time.
   * If {@code recorded} says the version is published already, its file stays as it is and the
   * upload is dropped; {@code record} then answers (it is idempotent: the stored version for the
   * same checksum, a refusal for another). Otherwise the upload is renamed into place (replacing a
   * file a publication left without recording it, when it failed between the two) and
   * {@code record} writes the version down; if that fails the file is deleted again.
   */
  public synchronized <T> T publish(IncomingPackage upload, String module, String version, BooleanSupplier recorded,
      Supplier<T> record) {
    Path target = path(module, version);
    try (upload) {
      upload.finish();
      if (recorded.getAsBoolean()) {
        return record.get();
      }
      Files.createDirectories(target.getParent());
      // A rename within one file system: readers see no file or the whole of it.
      Files.move(upload.file(), target, StandardCopyOption.ATOMIC_MOVE);
      try {
        return record.get();
      } catch (RuntimeException e) {
        Files.deleteIfExists(target);
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads a published package.
   *
   * @throws java.nio.file.NoSuchFileException if the store holds no file for it
   */
  public InputStream open(String module, String version) throws IOException {
    return Files.newInputStream(path(module, version));
  }

  private static String segment(String field, String value) {
    if (!SEGMENT.matcher(value).matches()) {
      throw new IllegalArgumentException(field + " cannot name a package file: " + Echo.quote(value));
    }
    return value;
  }
}
