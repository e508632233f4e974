package io.feitian.taskworker.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerRecordTest {
  @TempDir Path tmp;

  @Test
  void survivesARoundTripThroughItsFile() throws Exception {
    LaunchRequest request =
        new LaunchRequest("w-1", "app", 7, "name with = and: ünïcode",
            List.of("/bin/sh", "-c", "echo 'a b'\nexit 3", ""), Map.of("K", "v"), 512);
    WorkerRecord record =
        WorkerRecord.starting(request, 1000)
            .running(4242, 99887766, 1_700_000_000_000L)
            .killing("memory limit exceeded: 600 MiB > 512 MiB")
            .ended(WorkerState.KILLED, OptionalInt.of(143), "memory limit exceeded: 600 MiB > 512 MiB", 2000);
    WorkerDirectory dir = new WorkerDirectory(tmp.resolve("w-1"));
    Files.createDirectories(dir.root());

    dir.writeRecord(record);

    assertEquals(record, dir.readRecord().orElseThrow());
    assertEquals(4242, record.pgid());
    try (var files = Files.list(dir.root())) {
      assertEquals(List.of(dir.recordFile()), files.toList(), "no temporary file is left behind");
    }
  }

  @Test
  void namesTheBadKey() {
    Properties p = WorkerRecord.starting(LaunchRequest.of("w", "a", 1, "n", List.of("true")), 0).toProperties();
    p.setProperty("pid", "twelve");
    assertEquals("bad pid: twelve",
        assertThrows(IllegalArgumentException.class, () -> WorkerRecord.fromProperties(p)).getMessage());
    p.remove("pid");
    assertEquals("missing pid",
        assertThrows(IllegalArgumentException.class, () -> WorkerRecord.fromProperties(p)).getMessage());
  }
}
