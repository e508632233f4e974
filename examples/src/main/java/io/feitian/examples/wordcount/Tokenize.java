package io.feitian.examples.wordcount;

import io.feitian.job.api.TaskContext;
import io.feitian.job.api.TaskProcessor;

/**
 * The map side of word count: emits (word, n) for every word of its input
 * split ({@link Words}), n being how often the word occurs in the split.
 *
 * <p>It pre-aggregates (a combiner): rather than one (word, "1") record per
 * occurrence, it counts the split's words in memory and emits one record per
 * distinct word at the end, so the shuffle carries a split's vocabulary
 * instead of every occurrence. The memory this takes is bounded by the
 * vocabulary of one split. The order of the records is unspecified; the
 * scatter-gather pipeline does not need one.
 */
public final class Tokenize implements TaskProcessor {
  @Override
  public void process(TaskContext context) {
    Words.count(context.input()).forEach((word, n) -> context.emit(word, Long.toString(n)));
  }
}
