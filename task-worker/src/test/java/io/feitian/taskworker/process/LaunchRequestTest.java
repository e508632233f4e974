package io.feitian.taskworker.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class LaunchRequestTest {

  @ParameterizedTest
  @ValueSource(strings = {"", ".", "..", "a/b", "a b", "ä", "../etc"})
  void rejectsWorkerIdsThatAreNotSafeDirectoryNames(String id) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> LaunchRequest.of(id, "a", 1, "n", List.of("true")));
    assertTrue(e.getMessage().contains("workerId"), e.getMessage());
  }

  @Test
  void acceptsIdsUpTo128Characters() {
    LaunchRequest.of("A-z_0.9", "a", 1, "n", List.of("true"));
    LaunchRequest.of("x".repeat(128), "a", 1, "n", List.of("true"));
    assertThrows(IllegalArgumentException.class, () -> LaunchRequest.of("x".repeat(129), "a", 1, "n", List.of("true")));
  }

  @Test
  void rejectsEmptyArgvAndEmptyProgram() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> LaunchRequest.of("w", "a", 1, "n", List.of()))
        .getMessage().contains("argv"));
    assertThrows(IllegalArgumentException.class, () -> LaunchRequest.of("w", "a", 1, "n", List.of("")));
  }

  @Test
  void rejectsReservedAndMalformedEnvironment() {
    IllegalArgumentException reserved =
        assertThrows(IllegalArgumentException.class,
            () -> new LaunchRequest("w", "a", 1, "n", List.of("true"), Map.of("FEITIAN_WORKER_ID", "x"), 0));
    assertTrue(reserved.getMessage().contains("FEITIAN_WORKER_ID"), reserved.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new LaunchRequest("w", "a", 1, "n", List.of("true"), Map.of("A=B", "x"), 0));
    assertThrows(IllegalArgumentException.class,
        () -> new LaunchRequest("w", "a", 1, "n", List.of("true"), Map.of(), -1));
  }

  @Test
  void copiesItsCollections() {
    List<String> argv = new ArrayList<>(List.of("sleep", "1"));
    LaunchRequest request = LaunchRequest.of("w", "a", 1, "n", argv);
    argv.add("more");
    assertEquals(List.of("sleep", "1"), request.argv());
    assertThrows(UnsupportedOperationException.class, () -> request.argv().add("x"));
  }
}
