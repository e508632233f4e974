package io.feitian.job.data;

import io.feitian.common.pipeline.PipelineLayout;
import java.util.Objects;

/**
 * Where an attempt's records go for one downstream task: the task, and how
 * records are spread over its partitions ({@link Partitioners#single()} for
 * one-to-one and broadcast pipelines).
 */
public record DownstreamPipeline(String toTask, KeyPartitioner partitioner) {
  public DownstreamPipeline {
    PipelineLayout.checkName("to_task", toTask);
    Objects.requireNonNull(partitioner, "partitioner");
  }
}
