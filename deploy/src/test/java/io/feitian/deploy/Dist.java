package io.feitian.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.feitian.dayu.descriptor.DescriptorParser;
import io.feitian.dayu.descriptor.ModuleDescriptor;
import io.feitian.dayu.packages.ReleasePackage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** The built distribution tree under test, and a way to run its programs. */
final class Dist {
  /** Set by failsafe (deploy/pom.xml) to target/feitian-&lt;version&gt;. */
  static final Path HOME = Path.of(required("deploy.dist.dir"));
  static final Path ARCHIVE = Path.of(required("deploy.dist.archive"));
  static final String VERSION = required("deploy.version");
  /** The release the descriptors and the release packages carry: the version without -SNAPSHOT. */
  static final String RELEASE = VERSION.replace("-SNAPSHOT", "");
  /** Set by failsafe to target/packages, where `package` puts the Dayu release packages. */
  static final Path PACKAGES = Path.of(required("deploy.packages"));

  private Dist() {}

  private static String required(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "system property " + property + " is not set: run this test through maven-failsafe (mvn verify)");
    }
    return value;
  }

  static Path bin(String program) {
    return HOME.resolve("bin").resolve(program);
  }

  /** A process's outcome. */
  record Result(int exit, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout:\n" + stdout + "\n--- stderr:\n" + stderr;
    }
  }

  /**
   * A process builder with a hermetic environment: the JDK running the tests as JAVA_HOME, and no
   * FEITIAN_* or CONFIG_FORCE_* variables of the caller's.
   */
  static ProcessBuilder builder(List<String> command, Map<String, String> env) {
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> e = pb.environment();
    e.keySet().removeIf(k -> k.startsWith("FEITIAN_") || k.startsWith("CONFIG_FORCE_") || k.equals("JAVA_TOOL_OPTIONS"));
    e.put("JAVA_HOME", System.getProperty("java.home"));
    e.putAll(env);
    return pb;
  }

  static Result run(List<String> command, Map<String, String> env, Duration timeout) {
    try {
      Path out = Files.createTempFile("dist-out", ".txt");
      Path err = Files.createTempFile("dist-err", ".txt");
      try {
        Process p = builder(command, env)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
          p.waitFor();
          throw new AssertionError(command + " did not end within " + timeout + ":\n"
              + new Result(-1, Files.readString(out), Files.readString(err)));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  static Result run(Duration timeout, String... command) {
    return run(List.of(command), Map.of(), timeout);
  }

  /** The regular files under dir, as paths relative to it, sorted. */
  static List<String> files(Path dir) {
    try (var walk = Files.walk(dir)) {
      List<String> names = new ArrayList<>();
      walk.filter(Files::isRegularFile).forEach(f -> names.add(dir.relativize(f).toString()));
      names.sort(null);
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The Dayu release package `package` built for {@code module}: {@code <module>-<release>.tar.gz}. */
  static Path releasePackage(String module) {
    return PACKAGES.resolve(module + "-" + RELEASE + ".tar.gz");
  }

  /** The descriptor in {@code module}'s release package, read as dayu-server reads it on publication. */
  static ModuleDescriptor packagedDescriptor(String module) {
    Path pkg = releasePackage(module);
    return DescriptorParser.parse(ReleasePackage.descriptorText(pkg), pkg.getFileName() + ":" + DescriptorParser.FILE_NAME);
  }

  /** Every entry of a tar.gz archive: name to mode as {@code tar -tv} prints it (-rw-r--r--, drwxr-xr-x). */
  static Map<String, String> archiveEntries(Path archive) {
    Result r = run(Duration.ofSeconds(30), "tar", "-tvzf", archive.toString());
    assertTrue(r.exit() == 0, "tar -tvzf " + archive + ":\n" + r);
    Map<String, String> modes = new TreeMap<>();
    for (String line : r.stdout().split("\n")) {
      if (!line.isBlank()) {
        String[] f = line.trim().split("\\s+");
        modes.put(f[f.length - 1], f[0]);
      }
    }
    return modes;
  }

  static void assertBuilt() {
    assertTrue(Files.isDirectory(HOME), HOME + " is missing: the assembly (package phase) did not run");
  }
}
