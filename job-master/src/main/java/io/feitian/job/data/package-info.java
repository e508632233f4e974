/**
 * The pipeline data plane of offline jobs, job side: the record format,
 * partitioning, writing an attempt's partitioned outputs and reading other
 * attempts' outputs from the task-workers that serve them.
 *
 * <p><b>Record format.</b> A pipeline file is its records back to back, with
 * no header or footer: for each record the key's length in UTF-8 bytes as
 * an unsigned varint (7 bits a byte, least significant first, high bit set
 * on all but the last byte, as in protobuf), the key's UTF-8 bytes, then the
 * value's length and bytes the same way. An empty partition is an empty
 * file, and the files of one partition from several upstream instances can
 * be read one after another. Keys and values are at most
 * {@link io.feitian.job.data.RecordWriter#MAX_FIELD_BYTES} bytes.
 *
 * <p><b>Where files live.</b> {@link io.feitian.common.pipeline.PipelineLayout}
 * (shared with the task-worker, which serves them). An attempt writes into a
 * temporary directory and commits all its files with one rename; its
 * {@link io.feitian.proto.job.v1.OutputFile}s carry each file's length and
 * CRC32C, which readers check.
 *
 * <p><b>Partitioning.</b> See {@link io.feitian.job.data.Partitioners}: hash
 * partitioning is murmur3 (x86, 32 bit, seed 0) of the key's UTF-8 bytes,
 * taken unsigned modulo the partition count; range partitioning compares keys
 * with {@link java.lang.String#compareTo}.
 */
package io.feitian.job.data;
