package io.feitian.shennong.select;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random text built from the grammar's own characters, and mutations of valid selectors: parsing
 * either succeeds, or throws IllegalArgumentException with a "selector: ... at N" message whose N
 * lies within the text. Any other exception fails. Replay with -Dseed=N.
 */
class SelectorFuzzTest {
  private static final String ALPHABET = "abcxyz_019.:-*|{}=!~,\"'\\ \t()[]+?^$>severity";
  private static final String[] VALID = {
      "cpu.usage{node=\"n1\",role=~\"task.*\"}", "fuxi.*|task_worker.*{rack!=\"r9\"}", "{a!~'b|c'}",
      "x{v=\"q\\\"\\n\"}", "job.*|node.lost{severity>=\"warning\"}"};

  @Test
  void parseThrowsNothingButIllegalArgumentWithAPosition() {
    long seed = Long.getLong("seed", System.nanoTime());
    System.out.println("SelectorFuzzTest seed " + seed + " (replay with -Dseed=" + seed + ")");
    Random random = new Random(seed);
    int parsed = 0;
    int refused = 0;
    for (int i = 0; i < 20_000; i++) {
      String text = i % 2 == 0 ? randomText(random) : mutate(VALID[random.nextInt(VALID.length)], random);
      boolean events = random.nextBoolean();
      try {
        if (events) {
          EventSelector.parse(text);
        } else {
          Selector.parse(text);
        }
        parsed++;
      } catch (IllegalArgumentException e) {
        refused++;
        assertThat(e.getMessage()).as("seed %d, input %s", seed, text).matches("(?s)selector: .* at \\d+");
        int at = Integer.parseInt(e.getMessage().substring(e.getMessage().lastIndexOf(' ') + 1));
        assertThat(at).as("seed %d, input %s", seed, text).isBetween(0, text.length());
      } catch (RuntimeException | StackOverflowError e) {
        throw new AssertionError("seed " + seed + ", input " + text + ": " + e, e);
      }
    }
    // Both outcomes must have been exercised, or the generator is broken.
    assertThat(parsed).as("seed %d", seed).isGreaterThan(100);
    assertThat(refused).as("seed %d", seed).isGreaterThan(100);
  }

  private static String randomText(Random random) {
    StringBuilder s = new StringBuilder();
    int n = random.nextInt(40);
    for (int i = 0; i < n; i++) {
      s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return s.toString();
  }

  private static String mutate(String valid, Random random) {
    StringBuilder s = new StringBuilder(valid);
    int edits = random.nextInt(3);
    for (int i = 0; i < edits && s.length() > 0; i++) {
      int at = random.nextInt(s.length());
      switch (random.nextInt(3)) {
        case 0 -> s.deleteCharAt(at);
        case 1 -> s.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        default -> s.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
    }
    return s.toString();
  }
}
