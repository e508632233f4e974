package io.feitian.dayu.agent.node;

import io.feitian.dayu.descriptor.DescriptorParser;
import io.feitian.dayu.descriptor.ModuleDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Module {@code sample}: a real HTTP server (python3's http.server) serving its installed
 * directory, so {@code /health} answers 200 and {@code /VERSION} says which version runs. Its
 * configuration template and environment show that configure and start filled in the parameters.
 */
final class SampleModule {
  static final String NAME = "sample";
  /** The system's python3 rather than a version manager's shim: faster to start, one process. */
  static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

  private SampleModule() {}

  /** The descriptor of {@code version}, its health check given {@code healthTimeout} (a duration such as "3s"). */
  static String descriptorText(String version, String healthTimeout) {
    String health = "{step = health-check, timeout = " + healthTimeout + ", interval = 50ms}";
    return "name = sample\n"
        + "version = \"" + version + "\"\n"
        + "roles = [worker]\n"
        + "parameters {\n"
        + "  port { type = int }\n"
        + "  greeting { type = string, default = hello }\n"
        + "  health-path { type = string, default = health }\n"
        + "}\n"
        + "deploy = [fetch, verify, install, configure, start, " + health + "]\n"
        + "upgrade = [fetch, verify, install, configure, {step = stop, grace = 2s}, start, " + health + "]\n"
        + "remove = [{step = drain, timeout = 1s}, {step = stop, grace = 2s}]\n"
        + "templates = [{ path = \"conf/sample.conf\", text = \"port = {{port}}\\nnode = {{node.id}}\\nhome = {{module.home}}\\n\" }]\n"
        + "health-check { type = http, url = \"http://127.0.0.1:{{port}}/{{health-path}}\" }\n"
        + "run {\n"
        + "  command = [\"{{module.home}}/bin/serve\", \"{{port}}\"]\n"
        + "  environment { SAMPLE_GREETING = \"{{greeting}}\" }\n"
        + "}\n";
  }

  static ModuleDescriptor descriptor(String version, String healthTimeout) {
    return DescriptorParser.parse(descriptorText(version, healthTimeout), "sample.conf");
  }

  /** Builds the package of {@code version} into {@code packages} under the name DirectoryPackageSource looks for. */
  static SamplePackages.Built pack(Path workDir, Path packages, String version) throws IOException, InterruptedException {
    return SamplePackages.pack(workDir, packages.resolve(DirectoryPackageSource.fileName(NAME, version)),
        NAME + "-" + version, Map.of(
            DescriptorParser.FILE_NAME, descriptorText(version, "3s"),
            "bin/serve", "#!/bin/sh\n"
                + "# Records the environment it was given, then serves its directory.\n"
                + "printf '%s' \"$SAMPLE_GREETING\" > greeting\n"
                + "exec " + PYTHON + " -m http.server \"$1\" --bind 127.0.0.1 --directory .\n",
            "health", "ok\n",
            "VERSION", version));
  }
}
