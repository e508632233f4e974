package io.feitian.testkit;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Dayu release packages for tests: a {@code .tar.gz} with {@code dayu-module.conf} at its root
 * and a small script, or any files a test wants (to make a package wrong on purpose). The bytes
 * depend only on the arguments (fixed times), so the same package built twice has the same
 * checksum.
 */
public final class SamplePackages {
  public static final String DESCRIPTOR = "dayu-module.conf";
  private static final Date EPOCH = Date.from(Instant.parse("2024-01-01T00:00:00Z"));

  private SamplePackages() {}

  /** A minimal valid descriptor of {@code module} at {@code version} on {@code roles}, needing {@code dependencies}. */
  public static String descriptor(String module, String version, List<String> roles, String... dependencies) {
    return "name = " + module + "\n"
        + "version = \"" + version + "\"\n"
        + "roles = [" + String.join(", ", roles) + "]\n"
        + "dependencies = [" + String.join(", ", List.of(dependencies).stream().map(d -> "\"" + d + "\"").toList())
        + "]\n"
        + "deploy = [fetch, verify, install, configure, start, health-check]\n"
        + "upgrade = [fetch, verify, install, stop, start, health-check]\n"
        + "health-check { type = command, command = [\"true\"] }\n"
        + "run { command = [\"{{module.home}}/bin/" + module + "\"] }\n";
  }

  /**
   * The sample module's descriptor: {@link #descriptor} on role {@code worker}, declaring an int
   * parameter {@code port} (default 7400) and a duration {@code timeout} (default 30s).
   */
  public static String sampleDescriptor(String module, String version, String... dependencies) {
    return descriptor(module, version, List.of("worker"), dependencies)
        + "parameters { port { type = int, default = 7400 }, timeout { type = duration, default = 30s } }\n";
  }

  /** The sample module's package: {@link #sampleDescriptor} and {@code bin/<module>}, a script saying who it is. */
  public static byte[] sample(String module, String version, String... dependencies) {
    Map<String, String> files = new LinkedHashMap<>();
    files.put(DESCRIPTOR, sampleDescriptor(module, version, dependencies));
    files.put("bin/" + module, script(module, version));
    return tarGz(files);
  }

  /**
   * The sample module's package with {@code lib/filler.txt}, {@code fillerChars} of random Base64
   * (seeded: the same arguments give the same bytes) that gzip shrinks to about 3/4: a package
   * spanning several 1 MiB chunks of an upload.
   */
  public static byte[] large(String module, String version, int fillerChars) {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("lib/filler.txt", filler(fillerChars, fillerChars));
    files.put(DESCRIPTOR, sampleDescriptor(module, version));
    files.put("bin/" + module, script(module, version));
    return tarGz(files);
  }

  /**
   * A module that really serves: {@code bin/serve} runs python3's http.server on parameter
   * {@code port} (required) in its installed directory, so {@code /health} answers 200 and
   * {@code /VERSION} says which version runs. Its health check is a GET of
   * {@code /{{health-path}}}: a {@code healthPath} other than "health" makes a version whose
   * health check fails (404).
   */
  public static byte[] serving(String module, String version, String healthPath) {
    return serving(module, version, healthPath, 0);
  }

  /**
   * {@link #serving(String, String, String)} with {@code lib/filler.txt}, {@code fillerChars} of
   * random Base64 (seeded by the module, version and size: the same arguments give the same bytes)
   * that gzip shrinks to about 3/4: a package of several pieces for peer-to-peer distribution.
   */
  public static byte[] serving(String module, String version, String healthPath, int fillerChars) {
    String health = "{step = health-check, timeout = 5s, interval = 100ms}";
    String descriptor = "name = " + module + "\n"
        + "version = \"" + version + "\"\n"
        + "roles = [worker]\n"
        + "parameters {\n"
        + "  port { type = int }\n"
        + "  health-path { type = string, default = \"" + healthPath + "\" }\n"
        + "}\n"
        + "deploy = [fetch, verify, install, configure, start, " + health + "]\n"
        + "upgrade = [fetch, verify, install, configure, {step = stop, grace = 2s}, start, " + health + "]\n"
        + "remove = [{step = stop, grace = 2s}]\n"
        + "health-check { type = http, url = \"http://127.0.0.1:{{port}}/{{health-path}}\" }\n"
        + "run { command = [\"{{module.home}}/bin/serve\", \"{{port}}\"] }\n";
    String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    Map<String, String> files = new LinkedHashMap<>();
    files.put(DESCRIPTOR, descriptor);
    files.put("bin/serve", "#!/bin/sh\nexec " + python + " -m http.server \"$1\" --bind 127.0.0.1 --directory .\n");
    files.put("health", "ok\n");
    files.put("VERSION", version);
    if (fillerChars > 0) {
      files.put("lib/filler.txt", filler(fillerChars, Objects.hash(module, version, fillerChars)));
    }
    return tarGz(files);
  }

  /** {@code descriptor} with its version line set to {@code version}. */
  public static String relabel(String descriptor, String version) {
    return descriptor.replaceFirst("(?m)^version = \"[^\"]*\"", "version = \"" + version + "\"");
  }

  /**
   * A package of {@code descriptor} relabeled to {@code version} and one program,
   * {@code bin/<program>}: a shell script of {@code body} (e.g. a module's version that execs
   * another build's program, or exits at once).
   */
  public static byte[] withScript(String descriptor, String version, String program, String body) {
    Map<String, String> files = new LinkedHashMap<>();
    files.put(DESCRIPTOR, relabel(descriptor, version));
    files.put("bin/" + program, "#!/bin/sh\n" + body);
    return tarGz(files);
  }

  /**
   * Writes release package {@code from} to {@code to} as another version: every entry as it is
   * (contents, modes, times, links), the descriptor's version line set to {@code version}. What an
   * operator ships as a new version of a module, at its real size.
   */
  public static void relabeled(Path from, Path to, String version) {
    try (TarArchiveInputStream in = new TarArchiveInputStream(
            new GzipCompressorInputStream(new BufferedInputStream(Files.newInputStream(from))));
        TarArchiveOutputStream out = new TarArchiveOutputStream(
            new GzipCompressorOutputStream(new BufferedOutputStream(Files.newOutputStream(to))))) {
      out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      boolean found = false;
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        byte[] content = in.readAllBytes();
        if (e.getName().replaceFirst("^(\\./)+", "").equals(DESCRIPTOR)) {
          content = relabel(new String(content, StandardCharsets.UTF_8), version).getBytes(StandardCharsets.UTF_8);
          e.setSize(content.length);
          found = true;
        }
        out.putArchiveEntry(e);
        out.write(content);
        out.closeArchiveEntry();
      }
      if (!found) {
        throw new IllegalArgumentException(from + " holds no " + DESCRIPTOR);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot relabel " + from + " as " + to, e);
    }
  }

  private static String filler(int chars, long seed) {
    byte[] noise = new byte[chars * 3 / 4];
    new Random(seed).nextBytes(noise);
    return Base64.getEncoder().encodeToString(noise);
  }

  private static String script(String module, String version) {
    return "#!/bin/sh\necho \"" + module + " " + version + " running\"\n";
  }

  /** A gzip-compressed tar of exactly these files (name to UTF-8 text), in order; those under bin/ executable. */
  public static byte[] tarGz(Map<String, String> files) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Map.Entry<String, String> f : files.entrySet()) {
        byte[] content = f.getValue().getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(f.getKey());
        entry.setSize(content.length);
        entry.setMode(f.getKey().startsWith("bin/") ? 0755 : 0644);
        entry.setModTime(EPOCH);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** The SHA-256 of {@code bytes} in lowercase hex, as dayu-server wants it. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
