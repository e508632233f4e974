package io.feitian.client.cli.dayu;

import io.feitian.client.cli.DurationConverter;
import io.feitian.client.cli.Printer;
import io.feitian.proto.dayu.v1.ListModulesRequest;
import io.feitian.proto.dayu.v1.ListModulesResponse;
import io.feitian.proto.dayu.v1.Module;
import io.feitian.proto.dayu.v1.ModuleVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "module", description = "Modules and their published versions.",
    subcommands = {ModulesCommand.Publish.class, ModulesCommand.ListModules.class})
final class ModulesCommand {
  @Command(name = "publish", description = "Uploads a release package (.tar.gz with dayu-module.conf at its root);"
      + " the module and version are its descriptor's. Publishing the same file again is harmless.")
  static final class Publish extends DayuCommandBase {
    @Parameters(paramLabel = "PACKAGE", description = "The package file.")
    Path file;

    @Option(names = "--published-by", paramLabel = "NAME", defaultValue = "",
        description = "Who publishes (default: the name of the caller's token, `anonymous` without authentication).")
    String publishedBy;

    @Option(names = "--upload-timeout", paramLabel = "DURATION", defaultValue = "1h",
        converter = DurationConverter.class, description = "Deadline of the upload; default ${DEFAULT-VALUE}.")
    Duration uploadTimeout;

    @Override
    protected void run(DayuConnection server) throws Exception {
      PackageFile p = PackageFile.read(file);
      ModuleVersion v = PackageUploader.upload(server.async(uploadTimeout), p, publishedBy);
      print(v, out -> out.println("published " + v.getModule() + " " + v.getVersion() + " (" + v.getSizeBytes()
          + " bytes, sha256 " + v.getSha256() + ")"));
    }
  }

  @Command(name = "list", description = "Lists every module's versions, the newest publication first.")
  static final class ListModules extends DayuCommandBase {
    @Override
    protected void run(DayuConnection server) {
      ListModulesResponse r = server.blocking().listModules(ListModulesRequest.getDefaultInstance());
      print(r, out -> {
        List<List<String>> rows = new ArrayList<>();
        for (Module m : r.getModulesList()) {
          for (ModuleVersion v : m.getVersionsList()) {
            rows.add(List.of(m.getName(), v.getVersion(), Long.toString(v.getSizeBytes()),
                Printer.time(v.getPublishedAtMs()), v.getPublishedBy(), v.getSha256()));
          }
        }
        Printer.table(out, List.of("MODULE", "VERSION", "BYTES", "PUBLISHED", "BY", "SHA256"), rows);
      });
    }
  }
}
