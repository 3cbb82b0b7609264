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
echo "Building sbulb and the lab (the first run downloads Maven dependencies)..."
# The demo lives in the lab module, which the shipped jar does not carry: it runs with the lab's
# runtime classpath (sbulb's module and its dependencies, the XDP testing kit), written by
# build-classpath; the sbulb it starts in the load balancer's namespace runs from that classpath.
mvn -q -B -ntp -pl lab -am package -DskipTests \
  dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile=target/runtime.classpath
exec java --enable-native-access=ALL-UNNAMED -cp "lab/target/classes:$(cat lab/target/runtime.classpath)" \
  io.sbulb.lab.LabDemo
