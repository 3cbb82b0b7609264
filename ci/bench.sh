#!/usr/bin/env bash
# Benchmark of the XDP data path (shared/DESIGN.md §4): builds dataplane-xdp with its test
# classes (the measuring wrapper is a test BPF object), then runs
# io.sbulb.xdp.bench.DataPathBenchmark in its own JVM on the test classpath. It prints ns per
# frame and the ratio to a baseline measured in the same run.
#
# Needs root: BPF_PROG_TEST_RUN and loading programs need CAP_BPF + CAP_PERFMON (or CAP_SYS_ADMIN).
# Takes well under a minute (repeat and rounds are bounded; see --repeat, --rounds).
#
# Usage: ci/bench.sh [--repeat N] [--rounds N] [--cpu N]
# Extra Maven flags (e.g. -o for offline): BENCH_MVN_ARGS="-o" ci/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "ci/bench.sh: needs root (loads XDP programs and runs BPF_PROG_TEST_RUN); run it with sudo" >&2
  exit 2
fi

# shellcheck disable=SC2086 # BENCH_MVN_ARGS is a list of flags
mvn -q -B -ntp ${BENCH_MVN_ARGS:-} -pl dataplane-xdp -am install -DskipTests
classpath_file=$(mktemp)
trap 'rm -f "$classpath_file"' EXIT
# shellcheck disable=SC2086
mvn -q -B -ntp ${BENCH_MVN_ARGS:-} -pl dataplane-xdp dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$classpath_file"

xdp=dataplane-xdp/target
exec timeout 120 java --enable-native-access=ALL-UNNAMED \
  -cp "$xdp/test-classes:$xdp/classes:$(cat "$classpath_file")" \
  io.sbulb.xdp.bench.DataPathBenchmark "$@"
