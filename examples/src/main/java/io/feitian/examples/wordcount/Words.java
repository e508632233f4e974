package io.feitian.examples.wordcount;

import io.feitian.job.api.Record;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a word is, for every word example and for the tests that check their
 * output: a maximal run of letters, digits and apostrophes, lower-cased
 * ({@link Locale#ROOT}, so the result does not depend on the machine's
 * locale), without leading or trailing apostrophes (quotes, not part of the
 * word: "'tis" and "don't" keep theirs inside). Hyphens and all other
 * characters separate words.
 */
public final class Words {
  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}']+");

  private Words() {}

  /** The words of a text, in order, repeats included. */
  public static List<String> split(String text) {
    List<String> words = new ArrayList<>();
    Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
    while (m.find()) {
      String word = stripApostrophes(m.group());
      if (!word.isEmpty()) {
        words.add(word);
      }
    }
    return words;
  }

  /** How often each word occurs in the records' lines ({@link Record#toLine}), in no particular order. */
  public static Map<String, Long> count(Iterable<Record> records) {
    Map<String, Long> counts = new HashMap<>();
    for (Record record : records) {
      for (String word : split(record.toLine())) {
        counts.merge(word, 1L, Long::sum);
      }
    }
    return counts;
  }

  private static String stripApostrophes(String run) {
    int start = 0;
    int end = run.length();
    while (start < end && run.charAt(start) == '\'') {
      start++;
    }
    while (end > start && run.charAt(end - 1) == '\'') {
      end--;
    }
    return run.substring(start, end);
  }
}
