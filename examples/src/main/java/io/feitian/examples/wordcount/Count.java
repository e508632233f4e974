package io.feitian.examples.wordcount;

import io.feitian.job.api.Record;
import io.feitian.job.api.TaskContext;
import io.feitian.job.api.TaskProcessor;
import java.util.Map;
import java.util.TreeMap;

/**
 * The reduce side of word count: sums the integer values of each key of its
 * partition and emits (word, total), sorted by word ({@link String} order),
 * so an output file depends only on its input records, not on the order they
 * arrived in.
 */
public final class Count implements TaskProcessor {
  @Override
  public void process(TaskContext context) {
    Map<String, Long> totals = new TreeMap<>();
    for (Record record : context.input()) {
      totals.merge(record.key(), Long.parseLong(record.value()), Long::sum);
    }
    totals.forEach((word, total) -> context.emit(word, Long.toString(total)));
  }
}
