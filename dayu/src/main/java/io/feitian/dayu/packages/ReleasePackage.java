package io.feitian.dayu.packages;

import io.feitian.common.grpc.Echo;
import io.feitian.dayu.descriptor.DescriptorParser;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Reads a release package: a gzip-compressed tar archive whose root holds {@code dayu-module.conf}.
 * The whole archive is read, so a package that is cut short or corrupt is refused here rather than
 * on the nodes that install it. Refusals are IllegalArgumentExceptions starting with
 * {@code package}.
 */
public final class ReleasePackage {
  /** The largest descriptor taken (the database keeps at most 1,000,000 characters of one). */
  static final int MAX_DESCRIPTOR_BYTES = 1_000_000;

  private ReleasePackage() {}

  /**
   * The text of the archive's {@code dayu-module.conf} (UTF-8), after checking that every entry's
   * name stays inside the module's directory (no absolute path, no {@code ..}).
   */
  public static String descriptorText(Path archive) {
    try (InputStream file = new BufferedInputStream(Files.newInputStream(archive))) {
      return descriptorText(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("package is not a readable gzip-compressed tar archive: "
          + e.getMessage(), e);
    }
  }

  private static String descriptorText(InputStream file) throws IOException {
    String descriptor = null;
    // Concatenated gzip members are one stream, as gzip and tar read them.
    try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(file, true))) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        String name = checkedName(e.getName());
        if (!name.equals(DescriptorParser.FILE_NAME)) {
          continue;
        }
        if (descriptor != null) {
          throw refused("holds " + DescriptorParser.FILE_NAME + " twice");
        }
        if (!e.isFile()) {
          throw refused(DescriptorParser.FILE_NAME + " must be a regular file");
        }
        if (e.getSize() > MAX_DESCRIPTOR_BYTES) {
          throw refused(DescriptorParser.FILE_NAME + " is " + e.getSize() + " bytes; at most "
              + MAX_DESCRIPTOR_BYTES + " are taken");
        }
        descriptor = utf8(tar.readAllBytes());
      }
    }
    if (descriptor == null) {
      throw refused("holds no " + DescriptorParser.FILE_NAME + " at its root");
    }
    return descriptor;
  }

  /** The entry's name without leading {@code ./}; refused if it could leave the module's directory. */
  private static String checkedName(String name) {
    String n = name;
    while (n.startsWith("./")) {
      n = n.substring(2);
    }
    if (n.startsWith("/") || ("/" + n + "/").contains("/../")) {
      throw refused("entry " + Echo.quote(name) + " leaves the module's directory");
    }
    return n;
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw refused(DescriptorParser.FILE_NAME + " is not UTF-8 text");
    }
  }

  private static IllegalArgumentException refused(String problem) {
    return new IllegalArgumentException("package " + problem);
  }
}
