package io.feitian.dayu.descriptor;

import io.feitian.testkit.SamplePackages;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Descriptors for tests: Feitian's own, read from the classpath, and small made-up ones. */
public final class Descriptors {
  public static final List<String> FEITIAN_MODULES =
      List.of("fuxi-master", "task-worker", "shennong-master", "shennong-agent", "shennong-inspector");

  private Descriptors() {}

  public static String feitianText(String module) {
    String resource = "/io/feitian/dayu/modules/" + module + "/" + DescriptorParser.FILE_NAME;
    try (InputStream in = Descriptors.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ModuleDescriptor feitian(String module) {
    return DescriptorParser.parse(feitianText(module), module + "/" + DescriptorParser.FILE_NAME);
  }

  /** A minimal valid descriptor of {@code name} at {@code version} on {@code roles}, needing {@code deps}. */
  public static ModuleDescriptor simple(String name, String version, List<String> roles, String... deps) {
    String text = minimal(name, version, roles, deps);
    return DescriptorParser.parse(text, name + ".conf");
  }

  public static String minimal(String name, String version, List<String> roles, String... deps) {
    return SamplePackages.descriptor(name, version, roles, deps);
  }
}
