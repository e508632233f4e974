package io.feitian.shennong.inspector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reader against this machine's real /proc files, each compared with what cat reads. */
class ProcReaderTest {
  @TempDir
  Path dir;
  private final ProcReader reader = new ProcReader();

  @Test
  void aSysctlFileIsReadWhole() throws Exception {
    // Files.readString gives "3" of "32768\t60999" here: it reads one byte first.
    Path ports = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    assertThat(reader.read(ports)).isEqualTo(cat(ports)).matches("\\d+\\s+\\d+\n");
  }

  @Test
  void diskstatsAndNetDevAreReadWhole() throws Exception {
    for (Path file : List.of(Path.of("/proc/diskstats"), Path.of("/proc/net/dev"))) {
      // Counters move between two reads; the devices and the shape of every line do not.
      assertThat(shape(reader.read(file))).as("%s", file).isEqualTo(shape(cat(file))).isNotEmpty();
    }
  }

  @Test
  void aFileLargerThanTheBufferIsReadWholeAndTheNextReadStartsAfresh() throws Exception {
    Path big = dir.resolve("big");
    String text = "0123456789abcdef\n".repeat(10_000);
    Files.writeString(big, text);
    assertThat(reader.read(big)).isEqualTo(text);
    assertThat(reader.read(Path.of("/proc/self/stat"))).startsWith(ProcessHandle.current().pid() + " (");
  }

  @Test
  void aProcessThatEndedIsNoFile() {
    long pid = Long.MAX_VALUE;
    assertThatThrownBy(() -> reader.read(Path.of("/proc", Long.toString(pid), "stat")))
        .isInstanceOf(NoSuchFileException.class);
  }

  /** The lines with every number (and the spaces aligning them) made one letter. */
  private static List<String> shape(String text) {
    return text.lines().map(l -> l.replaceAll(" *\\d+", "N")).toList();
  }

  private static String cat(Path file) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("cat", file.toString()).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor()).isZero();
    return new String(out, StandardCharsets.UTF_8);
  }
}
