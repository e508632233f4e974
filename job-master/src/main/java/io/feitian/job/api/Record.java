package io.feitian.job.api;

import java.util.Objects;

/**
 * A record: a key and a value. As a line of text (input files, process-mode
 * stdin and stdout, final output files) it is {@code key<TAB>value}, or just
 * {@code key} when the value is empty: a line without a tab is all key.
 */
public record Record(String key, String value) {
  public Record {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }

  /** Parses a line (without its line end): up to the first tab is the key. */
  public static Record ofLine(String line) {
    int tab = line.indexOf('\t');
    return tab < 0 ? new Record(line, "") : new Record(line.substring(0, tab), line.substring(tab + 1));
  }

  /** The record as a line of text (without a line end). */
  public String toLine() {
    return value.isEmpty() ? key : key + "\t" + value;
  }
}
