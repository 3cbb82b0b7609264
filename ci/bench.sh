#!/usr/bin/env bash
# sbulb's benchmarks, in one run (issue 6; results and how to read them: BENCHMARKS.md):
#  1. XDP: the sbulb program's ns per frame through the restoring wrapper (docs/design.md §4),
#     BPF_PROG_TEST_RUN, CPU-pinned, several rounds; each case as a ratio to two baselines
#     measured in the same rounds through the same wrapper: XDP_PASS, and a minimal LRU NAT
#     (dataplane-xdp/src/test/bpf/bench_minimal.bpf.c). Every run is checked to have taken its
#     intended path (io.sbulb.xdp.bench.DataPathBenchmark).
#  2. Model: the reference model's frames per second on one core, the JVM pinned with taskset
#     (io.sbulb.sim.bench.ModelBenchmark).
#  3. Lab: end to end in network namespaces, sbulb (XDP attached to a veth) against nftables DNAT
#     with conntrack, nginx's UDP stream proxy and the limit (the minimal NAT of part 1, attached
#     as sbulb is, ingress only), same generator (BPF_PROG_TEST_RUN live frames),
#     sink and real servers, alternating rounds: delivered frames/s and loss at offered loads, the
#     balancer core's CPU per packet, request/response RTT; sbulb's memory, start-up to READY=1
#     and -cfg change latency (io.sbulb.bench.LabBenchmark; writes bench/target/lab/: the results
#     in Markdown, every step in CSV, a chart in PNG). Needs 2 CPUs: the generator's, the balancer's.
#  4. State: what a crash and a restart do to traffic and to a full association table (issue 14):
#     sbulb with -ma 1048576 and its state pinned, the table filled with 1,000,000 associations
#     through the pinned map, under a steady load: no event, SIGKILL + a new start, SIGTERM with
#     --on-exit keep + a new start, in rounds: frames lost, frames at another server, live clients
#     moved, the table's size and content, the stop's and the takeover's times
#     (io.sbulb.bench.StateBenchmark; writes bench/target/state/). The generator pins its thread
#     and the NAPI threads are pinned as in the lab part; the sbulb processes run on either CPU.
#  5. Upgrade: the build with the next map layout taking over a running data path whose table
#     holds 1,000,000 associations (issue 14), on a veth in a namespace of its own: load + copy
#     and link-switch times, associations moved, and the datagrams of 1,000 live clients lost
#     or at another real server meanwhile (io.sbulb.xdp.bench.UpgradeBenchmark; it prints).
#
# Installs what it needs first (ci/install-deps.sh --bench: nftables, nginx, ...).
# Builds dataplane-xdp and what it needs with their test classes (the wrapper and the baselines
# are test code) in the reactor, without `mvn install`: the classpath is the reactor's
# (target/classes and target/test-classes of the sibling modules, jars from ~/.m2).
#
# Needs root for the XDP and lab parts: loading programs and BPF_PROG_TEST_RUN need CAP_BPF +
# CAP_PERFMON (or CAP_SYS_ADMIN), the lab network namespaces. The model part does not.
# Bounded: about 20 s (XDP) + 25 s (model) + 4 min (lab) + 2 min (state) after the build, each
# under a timeout.
#
# Usage: ci/bench.sh [--only xdp|model|lab|state|upgrade] [--cpu N] [--repeat N] [--rounds N]
#                    [--model-warmup N] [--model-iterations N] [--model-ms N]
#                    [--lab-rounds N] [--lab-step-seconds S] [--lab-args "ARGS"]
#                    [--state-args "ARGS"] [--upgrade-args "ARGS"]
#   --cpu               the CPU the XDP and model parts run on (default: the last online CPU)
#   --repeat, --rounds  XDP: repetitions per BPF_PROG_TEST_RUN (2000000), rounds (5)
#   --model-*           model: warm-up and measured iterations per case (5, 5), ms each (500)
#   --lab-rounds        lab: rounds, each balancer once a round (3)
#   --lab-step-seconds  lab: seconds per offered load (2)
#   --lab-args          lab: more arguments to io.sbulb.bench.LabBenchmark, e.g. "--loads
#                       100000,0 --balancers sbulb,nftables --clients 1000 --rtt 2000"
#   --state-args        state: arguments to io.sbulb.bench.StateBenchmark, e.g. "--rounds 3
#                       --pps 50000 --seconds 8 --associations 1000000 --ma 1048576"
#   --upgrade-args      upgrade: arguments to io.sbulb.xdp.bench.UpgradeBenchmark, e.g.
#                       "--entries 1000000 --rounds 3" (the migration to the next map layout)
# Extra Maven flags, e.g. offline: BENCH_MVN_ARGS="-o" ci/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '/^# Usage:/,/^# Extra/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
only=all cpu="" xdp_args=() model_args=() lab_args=() state_args=() upgrade_args=()
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || usage
  case $1 in
    --only) only=$2 ;;
    --cpu) cpu=$2 ;;
    --repeat|--rounds) xdp_args+=("$1" "$2") ;;
    --model-warmup) model_args+=(--warmup "$2") ;;
    --model-iterations) model_args+=(--iterations "$2") ;;
    --model-ms) model_args+=(--iteration-ms "$2") ;;
    --lab-rounds) lab_args+=(--rounds "$2") ;;
    --lab-step-seconds) lab_args+=(--step-seconds "$2") ;;
    # shellcheck disable=SC2206 # a list of arguments, split on blanks
    --lab-args) lab_args+=($2) ;;
    # shellcheck disable=SC2206 # a list of arguments, split on blanks
    --state-args) state_args+=($2) ;;
    # shellcheck disable=SC2206 # a list of arguments, split on blanks
    --upgrade-args) upgrade_args+=($2) ;;
    *) usage ;;
  esac
  shift 2
done
case $only in all|xdp|model|lab|state|upgrade) ;; *) usage ;; esac
if [ -z "$cpu" ]; then
  cpu=$(sed 's/.*[-,]//' /sys/devices/system/cpu/online)
fi

if [ "$only" != model ] && [ "$(id -u)" -ne 0 ]; then
  echo "ci/bench.sh: the XDP, lab and state parts need root (XDP programs, BPF_PROG_TEST_RUN, network" \
    "namespaces); run it with sudo, or --only model" >&2
  exit 2
fi
ci/install-deps.sh --bench

start=$(date +%s)
# test-compile builds the test BPF objects too (process-test-resources); build-classpath writes
# each module's test classpath, reactor siblings as their target/ directories.
# The build's output is shown only if it fails.
build_log=$(mktemp)
trap 'rm -f "$build_log"' EXIT
# shellcheck disable=SC2086 # BENCH_MVN_ARGS is a list of flags
# package (tests compiled, not run) packages the reactor's modules; the lab part runs the bench
# module's classes with its classpath (the lab, sbulb's module, the XDP testing kit), and the sbulb
# it starts runs from that classpath too.
if ! timeout 600 mvn -q -B -ntp ${BENCH_MVN_ARGS:-} -pl dataplane-xdp,bench -am package -DskipTests \
    dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath \
    >"$build_log" 2>&1; then
  cat "$build_log" >&2
  echo "ci/bench.sh: the build failed" >&2
  exit 1
fi
echo "build: $(($(date +%s) - start)) s"

if [ "$only" = all ] || [ "$only" = xdp ]; then
  xdp=dataplane-xdp/target
  timeout 120 java --enable-native-access=ALL-UNNAMED \
    -cp "$xdp/test-classes:$xdp/classes:$(cat "$xdp/bench.classpath")" \
    io.sbulb.xdp.bench.DataPathBenchmark --cpu "$cpu" "${xdp_args[@]}"
fi

if [ "$only" = all ] || [ "$only" = upgrade ]; then
  xdp=dataplane-xdp/target
  timeout 600 java --enable-native-access=ALL-UNNAMED \
    -cp "$xdp/test-classes:$xdp/classes:$(cat "$xdp/bench.classpath")" \
    io.sbulb.xdp.bench.UpgradeBenchmark "${upgrade_args[@]}"
fi

if [ "$only" = all ] || [ "$only" = model ]; then
  sim=dataplane-sim/target
  # The whole JVM on one core: the measuring thread, the JIT and the GC share it. A fixed heap,
  # touched before the run, with a young generation large enough to keep collections rare.
  timeout 120 taskset -c "$cpu" java -Xms2g -Xmx2g -Xmn1536m -XX:+UseSerialGC -XX:+AlwaysPreTouch \
    -cp "$sim/test-classes:$sim/classes:$(cat "$sim/bench.classpath")" \
    io.sbulb.sim.bench.ModelBenchmark "${model_args[@]}"
fi

# The rig (generator, sink, real servers, this JVM and the sbulb it starts) on the first online
# CPU; the balancer (its NAPI thread, nginx's worker) on the next one, pinned by the benchmark.
gen_cpu=$(sed 's/[-,].*//' /sys/devices/system/cpu/online)
lb_cpu=$(sed -n 's/^[0-9]*[-,]\([0-9]*\).*/\1/p' /sys/devices/system/cpu/online)
if [ -n "$lb_cpu" ] && [ "$lb_cpu" -le "$gen_cpu" ]; then
  lb_cpu=$((gen_cpu + 1))
fi
if { [ "$only" = all ] || [ "$only" = lab ] || [ "$only" = state ]; } && [ -z "$lb_cpu" ]; then
  echo "ci/bench.sh: the lab and state parts need 2 CPUs (the generator's and the balancer's)" >&2
  exit 2
fi

if [ "$only" = all ] || [ "$only" = lab ]; then
  timeout 1200 taskset -c "$gen_cpu" java --enable-native-access=ALL-UNNAMED \
    -cp "bench/target/classes:$(cat bench/target/bench.classpath)" \
    io.sbulb.bench.LabBenchmark --gen-cpu "$gen_cpu" --lb-cpu "$lb_cpu" "${lab_args[@]}"
fi

if [ "$only" = all ] || [ "$only" = state ]; then
  # not under taskset: the generator pins its own thread, and the sbulb processes this JVM starts
  # (and stops, and starts again) run where the scheduler puts them, as a daemon does
  timeout 900 java --enable-native-access=ALL-UNNAMED \
    -cp "bench/target/classes:$(cat bench/target/bench.classpath)" \
    io.sbulb.bench.StateBenchmark --gen-cpu "$gen_cpu" --lb-cpu "$lb_cpu" "${state_args[@]}"
fi
echo "ci/bench.sh took $(($(date +%s) - start)) s"
