#!/usr/bin/env bash
# Measures shennong-inspector's CPU and RSS at 1 s sampling next to a local cluster, for several JVM flag sets.
# Usage (distribution built first, see docs/PERFORMANCE.md "Inspector cost"):
#   flock /tmp/feitian-mvn.lock bench/scripts/inspector-cost.sh FLAGS_FILE
# FLAGS_FILE: one line per inspector to run, "name|JVM flags" or "name|JVM flags|distribution home" to run another
# build's inspector (e.g. a copy of the previous commit's deploy/target/feitian-*), side by side in the same conditions.
# Uses ports 23100-23321.
set -u
HOME_DIR=$(ls -d "$(dirname -- "$0")"/../../deploy/target/feitian-*-SNAPSHOT | head -1)
D=$(mktemp -d /tmp/inspcost.XXXX)
"$HOME_DIR/bin/feitian" local up --detach --dir "$D/local" --zk-port 23100 --master-port 23101 --worker-port 23103 > "$D/up.txt" 2>&1 || { cat "$D/up.txt"; exit 1; }
AGENT=127.0.0.1:23301
declare -a PIDS NAMES
i=0
while IFS='|' read -r name flags home; do
  java $flags -cp "${home:-$HOME_DIR}/lib/*" -Dlogback.configurationFile=$HOME_DIR/conf/logback.xml io.feitian.shennong.inspector.ShennongInspectorMain \
    --set feitian.shennong.agent=$AGENT --set shennong.inspector.node-id=perf-$name > "$D/$name.log" 2>&1 &
  PIDS[$i]=$!; NAMES[$i]="$name: $flags${home:+ ($home)}"; i=$((i+1))
done < "$1"
sleep 20   # JVM start and JIT warm-up are not the steady cost
ticks() { sed 's/.*) //' /proc/$1/stat | awk '{print $12+$13}'; }
t0=$(date +%s.%N); declare -a A MAXR
for j in "${!PIDS[@]}"; do A[$j]=$(ticks ${PIDS[$j]}); MAXR[$j]=0; done
for s in $(seq 1 65); do
  sleep 1
  for j in "${!PIDS[@]}"; do r=$(awk '/VmRSS/{print $2}' /proc/${PIDS[$j]}/status); ((r > MAXR[j])) && MAXR[$j]=$r; done
  curl -s http://127.0.0.1:23302/metrics | grep '^shennong_inspector_read_seconds' >> "$D/read.txt"
done
t1=$(date +%s.%N); hz=$(getconf CLK_TCK)
for j in "${!PIDS[@]}"; do
  b=$(ticks ${PIDS[$j]})
  echo "${NAMES[$j]}"
  echo "   cpu $(echo "scale=4; ($b-${A[$j]})/$hz/($t1-$t0)" | bc) cores over $(echo "$t1-$t0" | bc) s; VmRSS max $((MAXR[j]/1024)) MiB; threads $(awk '/Threads/{print $2}' /proc/${PIDS[$j]}/status)"
done
# The reading's own time, as the agent held it each second: per node, min, median and max in ms. The median is a
# reading between discoveries; the max, one that also discovered (every 10 s).
sed -E 's/.*node="([^"]*)".*\} ([0-9.eE+-]+).*/\1 \2/' "$D/read.txt" | sort -k1,1 -k2,2g | awk '
  function out() { printf "read.seconds %s: %d values, min %.1f median %.1f max %.1f ms\n", n, c, v[1], v[int((c + 1) / 2)], v[c] }
  $1 != n { if (n) out(); n = $1; c = 0 }
  { v[++c] = $2 * 1000 }
  END { if (n) out() }'
kill "${PIDS[@]}"
"$HOME_DIR/bin/feitian" local down --dir "$D/local"
