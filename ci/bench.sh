#!/usr/bin/env bash
# Per-frame benchmarks, in one run (issue 6, items 1 and 2):
#  1. XDP: the sbulb program's ns per frame through the restoring wrapper (shared/DESIGN.md §4),
#     BPF_PROG_TEST_RUN, CPU-pinned, several rounds; each case as a ratio to two baselines
#     measured in the same rounds through the same wrapper: XDP_PASS, and a minimal LRU NAT
#     (dataplane-xdp/src/test/bpf/bench_minimal.bpf.c). Every run is checked to have taken its
#     intended path (io.sbulb.xdp.bench.DataPathBenchmark).
#  2. Model: the reference model's frames per second on one core, the JVM pinned with taskset
#     (io.sbulb.sim.bench.ModelBenchmark).
#
# Builds dataplane-xdp and what it needs with their test classes (the wrapper and the baselines
# are test code) in the reactor, without `mvn install`: the classpath is the reactor's
# (target/classes and target/test-classes of the sibling modules, jars from ~/.m2).
#
# Needs root for the XDP part: loading programs and BPF_PROG_TEST_RUN need CAP_BPF +
# CAP_PERFMON (or CAP_SYS_ADMIN). The model part does not (--only model).
# Bounded: about 20 s (XDP) + 25 s (model) after the build, each under a timeout.
#
# Usage: ci/bench.sh [--only xdp|model] [--cpu N] [--repeat N] [--rounds N]
#                    [--model-warmup N] [--model-iterations N] [--model-ms N]
#   --cpu               the CPU both parts run on (default: the last online CPU)
#   --repeat, --rounds  XDP: repetitions per BPF_PROG_TEST_RUN (2000000), rounds (5)
#   --model-*           model: warm-up and measured iterations per case (5, 5), ms each (500)
# Extra Maven flags, e.g. offline: BENCH_MVN_ARGS="-o" ci/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '/^# Usage:/,/^# Extra/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
only=all cpu="" xdp_args=() model_args=()
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || usage
  case $1 in
    --only) only=$2 ;;
    --cpu) cpu=$2 ;;
    --repeat|--rounds) xdp_args+=("$1" "$2") ;;
    --model-warmup) model_args+=(--warmup "$2") ;;
    --model-iterations) model_args+=(--iterations "$2") ;;
    --model-ms) model_args+=(--iteration-ms "$2") ;;
    *) usage ;;
  esac
  shift 2
done
case $only in all|xdp|model) ;; *) usage ;; esac
if [ -z "$cpu" ]; then
  cpu=$(sed 's/.*[-,]//' /sys/devices/system/cpu/online)
fi

if [ "$only" != model ] && [ "$(id -u)" -ne 0 ]; then
  echo "ci/bench.sh: the XDP part needs root (loads XDP programs, runs BPF_PROG_TEST_RUN); run it with" \
    "sudo, or --only model" >&2
  exit 2
fi

start=$(date +%s)
# test-compile builds the test BPF objects too (process-test-resources); build-classpath writes
# each module's test classpath, reactor siblings as their target/ directories.
# The build's output is shown only if it fails.
build_log=$(mktemp)
trap 'rm -f "$build_log"' EXIT
# shellcheck disable=SC2086 # BENCH_MVN_ARGS is a list of flags
if ! timeout 600 mvn -q -B -ntp ${BENCH_MVN_ARGS:-} -pl dataplane-xdp -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >"$build_log" 2>&1; then
  cat "$build_log" >&2
  echo "ci/bench.sh: the build failed" >&2
  exit 1
fi
echo "build: $(($(date +%s) - start)) s"

if [ "$only" != model ]; then
  xdp=dataplane-xdp/target
  timeout 120 java --enable-native-access=ALL-UNNAMED \
    -cp "$xdp/test-classes:$xdp/classes:$(cat "$xdp/bench.classpath")" \
    io.sbulb.xdp.bench.DataPathBenchmark --cpu "$cpu" "${xdp_args[@]}"
fi

if [ "$only" != xdp ]; then
  sim=dataplane-sim/target
  # The whole JVM on one core: the measuring thread, the JIT and the GC share it. A fixed heap,
  # touched before the run, with a young generation large enough to keep collections rare.
  timeout 120 taskset -c "$cpu" java -Xms2g -Xmx2g -Xmn1536m -XX:+UseSerialGC -XX:+AlwaysPreTouch \
    -cp "$sim/test-classes:$sim/classes:$(cat "$sim/bench.classpath")" \
    io.sbulb.sim.bench.ModelBenchmark "${model_args[@]}"
fi
echo "ci/bench.sh took $(($(date +%s) - start)) s"
