# shellcheck shell=bash
# Shared by the launchers in this directory (fuxi-master, task-worker, zookeeper, feitian).
# Sourced, never run. A launcher finds this file through its own resolved path, then calls
# feitian_run_daemon, feitian_run_zookeeper or feitian_run_cli, which end in `exec java`, so the JVM
# replaces the shell and receives signals (systemd's SIGTERM, Ctrl-C) directly.
#
# Environment:
#   JAVA_HOME            use $JAVA_HOME/bin/java; otherwise the `java` on PATH. Java 17+ is required.
#   FEITIAN_CONF         configuration directory (default: $FEITIAN_HOME/conf; /etc/feitian under
#                        systemd). A daemon gets `--config $FEITIAN_CONF/<daemon>.conf` when that file
#                        exists and the command line has no --config.
#   FEITIAN_JAVA_OPTS    extra JVM options for every program, e.g. "-Xmx4g -Dfoo=bar". They come after
#                        the built-in defaults, so they win (the last -Xmx counts).
#   FEITIAN_FUXI_MASTER_JAVA_OPTS, FEITIAN_TASK_WORKER_JAVA_OPTS, FEITIAN_ZOOKEEPER_JAVA_OPTS,
#   FEITIAN_CLI_JAVA_OPTS
#                        extra JVM options for one program, after FEITIAN_JAVA_OPTS.
#   FEITIAN_LOG_LEVEL    root log level read by conf/logback.xml (daemons: INFO, CLI: WARN).
# FEITIAN_HOME is always the directory above this file (symlinks resolved); it and FEITIAN_CONF are
# exported to the JVM.

FEITIAN_HOME=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd) || exit 1
FEITIAN_CONF=${FEITIAN_CONF:-$FEITIAN_HOME/conf}
export FEITIAN_HOME FEITIAN_CONF

# The program name used in messages; set by feitian_run_*.
feitian_program=feitian

feitian_die() {
  printf '%s: %s\n' "$feitian_program" "$*" >&2
  exit 1
}

# Sets FEITIAN_JAVA to the java command to run.
feitian_find_java() {
  if [[ -n ${JAVA_HOME:-} ]]; then
    FEITIAN_JAVA=$JAVA_HOME/bin/java
    [[ -x $FEITIAN_JAVA ]] || feitian_die "JAVA_HOME is $JAVA_HOME but $FEITIAN_JAVA is not an executable; set JAVA_HOME to a Java 17+ installation or unset it to use the java on PATH"
  else
    FEITIAN_JAVA=$(command -v java) ||
      feitian_die "java not found: install Java 17 or newer (e.g. apt-get install openjdk-17-jre-headless), or set JAVA_HOME"
  fi
}

# Prints the feature version (8, 11, 17, 21...) of $FEITIAN_JAVA, or nothing if it cannot tell.
# Reads the JDK's `release` file when there is one: forking `java -version` costs a JVM start.
feitian_java_major() {
  local java version='' line release
  java=$(readlink -f -- "$FEITIAN_JAVA" 2>/dev/null) || java=$FEITIAN_JAVA
  release=${java%/bin/java}/release
  if [[ $java == */bin/java && -r $release ]]; then
    while IFS= read -r line; do
      if [[ $line == JAVA_VERSION=* ]]; then
        version=${line#JAVA_VERSION=}
        version=${version//\"/}
        break
      fi
    done <"$release"
  fi
  if [[ -z $version ]]; then
    # e.g.: openjdk version "17.0.12" 2024-07-16 / java version "1.8.0_392"
    version=$("$FEITIAN_JAVA" -version 2>&1 | sed -n 's/^.* version "\([^"]*\)".*$/\1/p' | head -n 1)
  fi
  version=${version#1.}           # 1.8.0_392 -> 8.0_392
  version=${version%%[!0-9]*}     # 17.0.12 -> 17, 21-ea -> 21
  printf '%s' "$version"
}

feitian_check_java() {
  local major
  major=$(feitian_java_major)
  if [[ -n $major ]] && ((major < 17)); then
    feitian_die "Java 17 or newer is required, but $FEITIAN_JAVA is Java $major; set JAVA_HOME to a Java 17+ installation"
  fi
}

# exec java: feitian_exec_java MAIN_CLASS "DEFAULT JVM OPTIONS" ARGS...
feitian_exec_java() {
  local main=$1 defaults=$2
  shift 2
  [[ -d $FEITIAN_HOME/lib ]] ||
    feitian_die "$FEITIAN_HOME/lib not found: run this from an unpacked Feitian distribution"
  if [[ ! -d $FEITIAN_CONF ]]; then
    feitian_die "FEITIAN_CONF=$FEITIAN_CONF is not a directory"
  fi
  feitian_find_java
  feitian_check_java

  local -a jvm_opts user_opts program_opts
  read -r -a jvm_opts <<<"$defaults"
  read -r -a user_opts <<<"${FEITIAN_JAVA_OPTS:-}"
  local program_var=${feitian_program^^}
  program_var=FEITIAN_${program_var//-/_}_JAVA_OPTS
  [[ $feitian_program == feitian ]] && program_var=FEITIAN_CLI_JAVA_OPTS
  read -r -a program_opts <<<"${!program_var:-}"

  # The operator's copy (e.g. /etc/feitian/logback.xml) wins over the one shipped in conf/.
  local logback
  for logback in "$FEITIAN_CONF/logback.xml" "$FEITIAN_HOME/conf/logback.xml"; do
    if [[ -f $logback ]]; then
      jvm_opts+=("-Dlogback.configurationFile=$logback")
      break
    fi
  done

  exec "$FEITIAN_JAVA" "${jvm_opts[@]}" "${user_opts[@]}" "${program_opts[@]}" \
    -cp "$FEITIAN_HOME/lib/*" "$main" "$@"
}

# A Feitian daemon: feitian_run_daemon NAME MAIN_CLASS "DEFAULT JVM OPTIONS" ARGS...
# Adds --config $FEITIAN_CONF/NAME.conf when that file exists and ARGS has no --config.
feitian_run_daemon() {
  feitian_program=$1
  local main=$2 defaults=$3 arg conf
  shift 3
  conf=$FEITIAN_CONF/$feitian_program.conf
  for arg in "$@"; do
    if [[ $arg == --config || $arg == --config=* ]]; then
      conf=
      break
    fi
  done
  if [[ -n $conf && -f $conf ]]; then
    set -- --config "$conf" "$@"
  fi
  # A daemon out of heap is broken: exit, and let systemd restart it.
  feitian_exec_java "$main" "$defaults -XX:+ExitOnOutOfMemoryError" "$@"
}

# ZooKeeper's standalone server: feitian_run_zookeeper "DEFAULT JVM OPTIONS" [ZOO_CFG | ZooKeeper's own arguments]
feitian_run_zookeeper() {
  feitian_program=zookeeper
  local defaults=$1
  shift
  if (($# == 0)); then
    [[ -f $FEITIAN_CONF/zoo.cfg ]] || feitian_die "usage: zookeeper ZOO_CFG (no $FEITIAN_CONF/zoo.cfg to use by default)"
    set -- "$FEITIAN_CONF/zoo.cfg"
  fi
  feitian_exec_java org.apache.zookeeper.server.ZooKeeperServerMain "$defaults -XX:+ExitOnOutOfMemoryError" "$@"
}

# The operator CLI: feitian_run_cli MAIN_CLASS "DEFAULT JVM OPTIONS" ARGS...
# Its stdout is for results, so its log goes to stderr, at WARN unless FEITIAN_LOG_LEVEL says otherwise.
feitian_run_cli() {
  feitian_program=feitian
  local main=$1 defaults=$2
  shift 2
  defaults+=" -DFEITIAN_LOG_TARGET=System.err"
  [[ -z ${FEITIAN_LOG_LEVEL:-} ]] && defaults+=" -DFEITIAN_LOG_LEVEL=WARN"
  feitian_exec_java "$main" "$defaults" "$@"
}
