#!/usr/bin/env bash
# The balancer at work on a built-in network: installs what is missing, builds sbulb, creates
# network namespaces (a client, three UDP echo servers, a gateway and the load balancer), runs
# the real `sbulb` attached to the load balancer's veth, sends traffic, prints what went where,
# changes the real servers live, stops sbulb, and removes everything it created, also when
# interrupted (Ctrl-C). Needs root (XDP and network namespaces). Addresses: 198.18.0.0/15 only.
set -euo pipefail
cd "$(dirname "$0")"
if [ "$(id -u)" -ne 0 ]; then
  echo "demo.sh: run as root: attaching XDP programs and making network namespaces need it" >&2
  exit 1
fi
ci/install-deps.sh
echo "Building sbulb/target/sbulb.jar (the first run downloads Maven dependencies)..."
mvn -q -B -ntp -pl sbulb -am package -DskipTests
exec java --enable-native-access=ALL-UNNAMED -cp sbulb/target/sbulb.jar io.sbulb.lab.LabDemo
