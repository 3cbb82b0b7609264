#!/usr/bin/env bash
# The whole test suite: installs prerequisites, builds every module, runs every test.
# Tests that load the XDP program need root (CAP_BPF); without it they skip with the reason,
# except under CI=true, where that is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
# --bench: the benchmark rig's test runs its three balancers (sbulb, nftables, nginx)
ci/install-deps.sh --bench
mvn -B -ntp verify "$@"
