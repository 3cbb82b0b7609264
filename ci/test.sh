#!/usr/bin/env bash
# The whole test suite: installs prerequisites, builds every module, runs every test.
# Tests that load the XDP program need root (CAP_BPF); without it they skip with the reason,
# except under CI=true, where that is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh
mvn -B -ntp verify "$@"
