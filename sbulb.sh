#!/usr/bin/env bash
# Runs the sbulb command line (sbulb/target/sbulb.jar), building it first when it is missing
# or older than the sources; installs what building needs (ci/install-deps.sh) on first use.
#   ./sbulb.sh --help
#   ./sbulb.sh replay CAPTURE.pcap --dataplane sim -vs 198.18.0.1 -rs 198.18.1.1 -p 5683 --log -
set -euo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
jar="$root/sbulb/target/sbulb.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root" -path "$root/*/target" -prune -o \( -name '*.java' -o -name '*.c' \
      -o -name '*.h' -o -name '*.xml' \) -newer "$jar" -print -quit)" ]; then
  "$root/ci/install-deps.sh" >&2
  echo "sbulb.sh: building sbulb/target/sbulb.jar (first run downloads Maven dependencies)..." >&2
  (cd "$root" && mvn -q -B -ntp -pl sbulb -am package -DskipTests) >&2
fi
exec java -jar "$jar" "$@"
