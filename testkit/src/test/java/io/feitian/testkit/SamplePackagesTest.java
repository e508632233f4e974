package io.feitian.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SamplePackagesTest {
  @TempDir
  Path dir;

  @Test
  void aRelabeledPackageKeepsEveryEntryButTheDescriptorsVersion() throws IOException {
    String descriptor = SamplePackages.descriptor("m", "0.1.0", List.of("worker"));
    Map<String, String> files = new LinkedHashMap<>();
    files.put("bin/m", "#!/bin/sh\necho m\n");
    files.put(SamplePackages.DESCRIPTOR, descriptor);
    files.put("lib/m.jar", "not really a jar");
    Path from = Files.write(dir.resolve("m-0.1.0.tar.gz"), SamplePackages.tarGz(files));
    Path to = dir.resolve("m-2.0.0.tar.gz");

    SamplePackages.relabeled(from, to, "2.0.0");

    Map<String, String> expected = new LinkedHashMap<>(files);
    expected.put(SamplePackages.DESCRIPTOR, descriptor.replace("version = \"0.1.0\"", "version = \"2.0.0\""));
    assertEquals(expected, contents(to));
    Map<String, Integer> modes = new LinkedHashMap<>();
    read(to, (e, text) -> modes.put(e.getName(), e.getMode()));
    assertEquals(Map.of("bin/m", 0755, SamplePackages.DESCRIPTOR, 0644, "lib/m.jar", 0644), modes);
  }

  private interface EntryVisitor {
    void visit(TarArchiveEntry e, String text);
  }

  private static Map<String, String> contents(Path pkg) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    read(pkg, (e, text) -> out.put(e.getName(), text));
    return out;
  }

  private static void read(Path pkg, EntryVisitor visitor) throws IOException {
    try (InputStream file = Files.newInputStream(pkg);
        TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(file))) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        visitor.visit(e, new String(tar.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
  }
}
