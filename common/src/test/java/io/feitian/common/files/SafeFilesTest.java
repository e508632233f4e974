package io.feitian.common.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeFilesTest {
  @TempDir
  Path dir;

  @Test
  void anAtomicWriteReplacesTheContentCreatesParentsAndLeavesNoTemporaryFile() throws Exception {
    Path file = dir.resolve("a/b/state");
    SafeFiles.writeAtomically(file, "one");
    SafeFiles.writeAtomically(file, "two".getBytes(StandardCharsets.UTF_8));
    assertThat(file).hasContent("two");
    try (var listed = Files.list(file.getParent())) {
      assertThat(listed).containsExactly(file);
    }
  }

  @Test
  void deletingATreeCountsItsBytesDeletesLinksNotTheirTargetsAndToleratesAbsence() throws Exception {
    Path outside = Files.writeString(dir.resolve("outside"), "keep me");
    Path tree = Files.createDirectories(dir.resolve("tree/sub"));
    Files.writeString(tree.resolve("f"), "12345");
    Files.writeString(dir.resolve("tree/g"), "123");
    Files.createSymbolicLink(tree.resolve("link"), outside);
    Files.createSymbolicLink(dir.resolve("tree/dirlink"), dir);

    long freed = SafeFiles.deleteTree(dir.resolve("tree"));

    assertThat(dir.resolve("tree")).doesNotExist();
    assertThat(outside).hasContent("keep me");
    assertThat(freed).isGreaterThanOrEqualTo(8);
    assertThat(SafeFiles.deleteTree(dir.resolve("tree"))).isZero();
  }

  @Test
  void theChecksumOfAFileIsTheSha256OfItsBytes() throws Exception {
    Path file = Files.writeString(dir.resolve("abc"), "abc");
    assertThat(SafeFiles.sha256(file))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        .isEqualTo(HexFormat.of().formatHex(SafeFiles.sha256().digest("abc".getBytes(StandardCharsets.UTF_8))));
  }
}
