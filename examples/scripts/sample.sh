#!/bin/sh
# The sort example's sampler (process mode). Reads records on stdin, one
# "key<TAB>value" line each, and writes the key of every N-th record to
# stdout, one per line: the 1st, the (N+1)-th, ... so that even a split of
# fewer than N records contributes a key. N is the task's config "every"
# (FEITIAN_CONF_EVERY), 100 by default. Records with an empty key are not
# sampled (an empty boundary would be below every key).
set -eu

every="${FEITIAN_CONF_EVERY:-100}"
expr "x$every" : 'x[1-9][0-9]*$' >/dev/null \
  || { echo "sample.sh: FEITIAN_CONF_EVERY must be a positive integer, got '$every'" >&2; exit 2; }

exec awk -F '\t' -v every="$every" '(NR - 1) % every == 0 && $1 != "" { print $1 }'
