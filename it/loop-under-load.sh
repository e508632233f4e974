#!/usr/bin/env bash
# Runs integration tests N times in a row while another process keeps one core busy,
# and prints how many runs passed. A failed run keeps its surefire reports under
# it/target/loop/run-K, and the test's directory (daemon logs) stays in /tmp/junit-*.
#
#   it/loop-under-load.sh 20 'JobFaultsIT'                        # a whole class
#   it/loop-under-load.sh 20 'NodeLifecycleIT#aRestartedTaskWorker*' # one test
#   LOAD=none it/loop-under-load.sh 5 'FailoverIT'                 # on a quiet machine
#   FROM=worktree it/loop-under-load.sh 8 'JobFaultsIT'            # this tree's code, nothing installed
#
# Build first (mvn -B -DskipTests install); or FROM=worktree, where each run builds what the tests
# need from this tree (-pl it -am test), for a branch whose daemons differ from what is installed.
# Each run takes the lock file $LOCK (default /tmp/feitian-mvn.lock), so that no two Maven
# builds share the machine's two cores, and starts only when no other `flock $LOCK` is waiting:
# builds of people working on the machine go first, the loop fills the gaps. The busy loop runs only during a run.
set -uo pipefail
runs=$1
tests=$2
lock=${LOCK:-/tmp/feitian-mvn.lock}
cd "$(dirname "$0")/.."
# Test directories that existed before the loop belong to someone else's tests: never touched.
before=$(ls -d /tmp/junit-* 2>/dev/null || true)
cleanup() {
  # The daemons of an interrupted run (their command lines name a test directory this loop
  # created), and the workers they started (whose command lines name this tree's test classes).
  for d in /tmp/junit-*; do
    if [ -d "$d" ] && ! grep -qxF "$d" <<< "$before"; then
      pkill -9 -f "$d/" 2>/dev/null || true
    fi
  done
  pkill -9 -f "$PWD/it/target/test-classes" 2>/dev/null || true
}
trap cleanup EXIT
mkdir -p it/target/loop
if [ "${FROM:-installed}" = worktree ]; then
  build=(-pl it -am test)
else
  build=(-pl it surefire:test)
fi
pass=0
for i in $(seq 1 "$runs"); do
  while pgrep -f "^flock $lock" > /dev/null; do
    sleep 5
  done
  start=$(date +%s)
  # The busy loop starts once the lock is held, so that it loads the run and not a wait for the lock.
  if flock "$lock" bash -c '
      if [ "$1" != none ]; then (while :; do :; done) & hog=$!; trap "kill $hog" EXIT; fi
      shift; "$@"' run-under-load "${LOAD:-busy}" mvn -B -q -o "${build[@]}" -Dtest="$tests" \
      -Dsurefire.failIfNoSpecifiedTests=false > "it/target/loop/run-$i.log" 2>&1; then
    pass=$((pass + 1))
    verdict=passed
  else
    rm -rf "it/target/loop/run-$i"
    cp -r it/target/surefire-reports "it/target/loop/run-$i"
    verdict="FAILED (it/target/loop/run-$i)"
  fi
  echo "run $i/$runs $verdict in $(( $(date +%s) - start )) s"
done
echo "$tests: $pass of $runs runs passed (load: ${LOAD:-busy})"
[ "$pass" -eq "$runs" ]
