#!/usr/bin/env bash
# The balancer at work on a built-in network: installs what is missing, builds, loads the XDP
# program into the running kernel (needs root) and plays clients, real servers and a live
# reconfiguration through it and, in lockstep, through the Java reference model.
set -euo pipefail
cd "$(dirname "$0")"
ci/install-deps.sh
echo "Building (first run downloads Maven dependencies)..."
mvn -q -B -ntp install -DskipTests
exec mvn -q -B -ntp -pl scenarios exec:java -Dexec.mainClass=io.sbulb.scenario.Demo
