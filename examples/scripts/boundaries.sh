#!/bin/sh
# The sort example's boundary picker (process mode). Reads sample keys on
# stdin, one per line, and writes P-1 range partition boundaries to stdout,
# one per line, sorted and distinct: the keys at the evenly spaced quantiles
# 1/P, 2/P, ... of the sorted samples, so each partition receives about the
# same number of records. P is the task's config "partitions"
# (FEITIAN_CONF_PARTITIONS), 4 by default. With fewer samples than P, or
# many repeats, quantiles coincide and fewer boundaries are written.
#
# LC_ALL=C sorts by bytes. The example's keys are ASCII, for which byte
# order is the order of Java's String.compareTo that the range partitioner
# and SortPartition use.
set -eu

partitions="${FEITIAN_CONF_PARTITIONS:-4}"
expr "x$partitions" : 'x[1-9][0-9]*$' >/dev/null \
  || { echo "boundaries.sh: FEITIAN_CONF_PARTITIONS must be a positive integer, got '$partitions'" >&2; exit 2; }

# Quantile i is the sample at 0-based position floor(i * n / P); with n >= P
# distinct samples those positions are distinct. Keys are compared as
# strings ("" k): awk would compare number-like keys such as "0100" and
# "1e2" as numbers.
LC_ALL=C sort | awk -v p="$partitions" '
  { key[NR] = $0 }
  END {
    for (i = 1; i < p && NR > 0; i++) {
      k = key[int(i * NR / p) + 1]
      if (i == 1 || ("" k) != ("" last)) {
        print k
        last = k
      }
    }
  }'
