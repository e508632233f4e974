package io.feitian.shennong.monitor;

import io.feitian.shennong.monitor.rules.RuleError;
import io.feitian.shennong.monitor.rules.RuleParser;
import io.feitian.shennong.monitor.rules.RuleSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Loads every {@code *.conf} file of a rule directory (not its subdirectories), in name order,
 * into one {@link RuleSet}: all of them or none, so a reload with one bad file changes nothing.
 * Errors name the file as it is named in the directory.
 */
public final class RuleDirectory {
  private RuleDirectory() {}

  public static RuleSet load(Path directory) {
    if (!Files.isDirectory(directory)) {
      throw new RuleError(directory.toString(), 0, "is not a directory");
    }
    List<Path> files;
    try (Stream<Path> listing = Files.list(directory)) {
      files = listing.filter(p -> p.getFileName().toString().endsWith(".conf") && Files.isRegularFile(p)).sorted()
          .toList();
    } catch (IOException e) {
      throw new RuleError(directory.toString(), 0, "cannot be listed: " + e.getMessage());
    }
    List<RuleSet.RuleFile> parsed = new ArrayList<>();
    for (Path file : files) {
      String name = file.getFileName().toString();
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new RuleError(name, 0, "cannot be read: " + e);
      }
      parsed.add(RuleParser.parse(name, text));
    }
    return RuleSet.of(parsed);
  }
}
