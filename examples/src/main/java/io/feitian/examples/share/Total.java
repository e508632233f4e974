package io.feitian.examples.share;

import io.feitian.job.api.Record;
import io.feitian.job.api.TaskContext;
import io.feitian.job.api.TaskProcessor;

/**
 * The total number of words: sums the values of all its input records (the
 * (word, count) records of {@code Tokenize}) and emits the one record
 * ("total", N). It must see every word, so its pipeline has one partition.
 */
public final class Total implements TaskProcessor {
  @Override
  public void process(TaskContext context) {
    long total = 0;
    for (Record record : context.input()) {
      total += Long.parseLong(record.value());
    }
    context.emit("total", Long.toString(total));
  }
}
