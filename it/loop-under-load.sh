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
# Run it from a worktree pinned at the installed commit (git worktree add --detach DIR COMMIT; then
# mvn -o -pl examples package -DskipTests and mvn -o -pl it test-compile there), not from a checkout that changes: each run reads this tree's
# it/pom.xml and test classes, and a merge that changes them ends every later run at its build.
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
# The test directories of this loop's runs: those that appeared while a run held the build lock
# (no one else's tests run then). Others' test directories are never touched.
mine=()
in_run=
# Written by a run once it holds the lock: the test directories that existed before it.
run_before=$(mktemp)
new_dirs() {
  [ -e "$run_before.taken" ] || return 0
  for d in /tmp/junit-*; do
    if [ -d "$d" ] && ! grep -qxF "$d" "$run_before"; then
      echo "$d"
    fi
  done
}
cleanup() {
  # The daemons of an interrupted run (their command lines name a test directory of this loop),
  # and the workers they started (whose command lines name this tree's test classes).
  if [ -n "$in_run" ]; then
    mapfile -t -O "${#mine[@]}" mine < <(new_dirs)
  fi
  for d in "${mine[@]}"; do
    pkill -9 -f "$d/" 2>/dev/null || true
  done
  if [ -n "$in_run" ] && [ -e "$run_before.taken" ]; then
    pkill -9 -f "$PWD/it/target/test-classes" 2>/dev/null || true
  fi
  rm -f "$run_before" "$run_before.taken"
}
trap cleanup EXIT
# The tests a run ran, from surefire's summary: a run that ran none (its test classes missing,
# say after a failed compile elsewhere) is no pass.
tests_run() {
  grep -E '^\[(INFO|ERROR|WARNING)\] Tests run: [0-9]+, ' "$1" | tail -1 | sed -E 's/.*Tests run: ([0-9]+),.*/\1/' | grep . || echo 0
}
mkdir -p it/target/loop
# ServicesIT creates the shipped example service, whose jar (../lib/feitian-examples.jar) the examples
# module's package writes into the source tree: a worktree that only compiled the tests lacks it.
if [ ! -e examples/lib/feitian-examples.jar ]; then
  echo "examples/lib/feitian-examples.jar is missing: run mvn -B -o -q -pl examples package -DskipTests first" >&2
  exit 2
fi
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
  rm -f "$run_before.taken"
  : > "$run_before"
  in_run=1
  # The busy loop starts once the lock is held, so that it loads the run and not a wait for the lock.
  if flock "$lock" bash -c '
      ls -d /tmp/junit-* > "$2" 2>/dev/null; touch "$2.taken"
      if [ "$1" != none ]; then (while :; do :; done) & hog=$!; trap "kill $hog" EXIT; fi
      shift 2; "$@"' run-under-load "${LOAD:-busy}" "$run_before" mvn -B -o "${build[@]}" -Dtest="$tests" \
      -Dsurefire.failIfNoSpecifiedTests=false > "it/target/loop/run-$i.log" 2>&1 \
      && ran=$(tests_run "it/target/loop/run-$i.log") && [ "$ran" -gt 0 ]; then
    pass=$((pass + 1))
    verdict="passed ($ran tests)"
  elif [ "$(tests_run "it/target/loop/run-$i.log")" -eq 0 ]; then
    # Nothing ran: the build broke (a pom or the installed jars changed under the loop). Every
    # later run would fail the same way and say nothing of the tests: stop.
    echo "run $i/$runs ran no test (see it/target/loop/run-$i.log): the loop stops"
    break
  else
    rm -rf "it/target/loop/run-$i"
    cp -r it/target/surefire-reports "it/target/loop/run-$i"
    verdict="FAILED (it/target/loop/run-$i)"
  fi
  mapfile -t -O "${#mine[@]}" mine < <(new_dirs)
  in_run=
  echo "run $i/$runs $verdict in $(( $(date +%s) - start )) s"
done
echo "$tests: $pass of $runs runs passed (load: ${LOAD:-busy})"
[ "$pass" -eq "$runs" ]
