package io.feitian.client.cli.dayu;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * A release package on the operator's disk, as the upload's header announces it: the module and
 * version its {@code dayu-module.conf} names, its size and SHA-256. Only the name and version are
 * read here (so that a wrong file fails before it is sent); dayu-server checks the whole package.
 */
record PackageFile(Path path, String module, String version, long size, String sha256) {
  private static final String DESCRIPTOR = "dayu-module.conf";

  /** Reads {@code path}; an IllegalArgumentException (a usage error) says what is wrong with it. */
  static PackageFile read(Path path) {
    try {
      Config descriptor = ConfigFactory.parseString(descriptorText(path));
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      long size;
      try (InputStream in = new DigestInputStream(Files.newInputStream(path), sha256)) {
        size = in.transferTo(OutputStream.nullOutputStream());
      }
      return new PackageFile(path, descriptor.getString("name"), descriptor.getString("version"), size,
          HexFormat.of().formatHex(sha256.digest()));
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(path + ": no such file");
    } catch (IOException e) {
      throw new IllegalArgumentException(path + " is not a readable gzip-compressed tar archive: " + e.getMessage(), e);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(path + ": " + DESCRIPTOR + ": " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** The text of the descriptor at the archive's root. */
  private static String descriptorText(Path path) throws IOException {
    try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(
        new BufferedInputStream(Files.newInputStream(path)), true))) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        if (e.getName().replaceFirst("^(\\./)+", "").equals(DESCRIPTOR) && e.isFile()) {
          return new String(tar.readAllBytes(), StandardCharsets.UTF_8);
        }
      }
    }
    throw new IllegalArgumentException(path + " holds no " + DESCRIPTOR + " at its root: it is no release package");
  }
}
