package io.feitian.examples.share;

import io.feitian.examples.wordcount.Words;
import io.feitian.job.api.Record;
import io.feitian.job.api.TaskContext;
import io.feitian.job.api.TaskProcessor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Each word's share of the whole text, seen from one split: counts the words
 * of its input split ({@link Words}) and emits
 * (word, "localCount/N") sorted by word, N being the total number of words of
 * all the text, broadcast to every instance by the upstream task
 * {@value #TOTAL_TASK} ({@link Total}).
 */
public final class Share implements TaskProcessor {
  /** The upstream task whose one record carries N. */
  public static final String TOTAL_TASK = "total";

  @Override
  public void process(TaskContext context) {
    long total = total(context);
    Map<String, Long> counts = new TreeMap<>(Words.count(context.input()));
    counts.forEach((word, n) -> context.emit(word, n + "/" + total));
  }

  private static long total(TaskContext context) {
    List<Record> records = new ArrayList<>();
    context.input(TOTAL_TASK).forEach(records::add);
    if (records.size() != 1) {
      // A wrong pipeline (not a broadcast from a single-instance Total) would
      // give shares that look plausible but are wrong: fail instead.
      throw new IllegalStateException("expected one record from task '" + TOTAL_TASK + "', got " + records.size());
    }
    return Long.parseLong(records.get(0).value());
  }
}
