#!/bin/sh
# Word count's reduce in process mode: reads (word, count) records on stdin,
# one "word<TAB>count" line each, and writes each word once with the sum of
# its counts, sorted by word (byte order).
set -eu
awk -F '\t' '{ sum[$1] += $2 } END { for (w in sum) printf "%s\t%d\n", w, sum[w] }' | LC_ALL=C sort
