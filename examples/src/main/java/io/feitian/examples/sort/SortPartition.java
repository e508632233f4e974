package io.feitian.examples.sort;

import io.feitian.job.api.Record;
import io.feitian.job.api.TaskContext;
import io.feitian.job.api.TaskProcessor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Sorts one range partition: emits its input records ordered by key, then by
 * value, both in {@link String#compareTo} order, the order the range
 * partitioner places keys by. As partition p holds only keys below those of
 * partition p + 1, the output files read in partition order are sorted as a
 * whole.
 *
 * <p>It holds the whole partition in memory: the job must have enough
 * partitions for one to fit in the task's memory.
 */
public final class SortPartition implements TaskProcessor {
  private static final Comparator<Record> ORDER = Comparator.comparing(Record::key).thenComparing(Record::value);

  @Override
  public void process(TaskContext context) {
    List<Record> records = new ArrayList<>();
    context.input().forEach(records::add);
    records.sort(ORDER);
    records.forEach(context::emit);
  }
}
