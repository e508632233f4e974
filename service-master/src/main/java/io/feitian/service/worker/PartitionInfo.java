package io.feitian.service.worker;

import io.feitian.service.partition.KeyRange;

/** A partition as a worker is given it: its id, its key range and the epoch it serves it at. */
public record PartitionInfo(String id, KeyRange range, long epoch) {}
