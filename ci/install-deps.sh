#!/usr/bin/env bash
# Installs what building and testing sbulb needs on Debian/Ubuntu: a JDK 17+, Maven, clang
# (compiles the XDP program), libbpf (loaded through JNA at run time), bpftool (the tests'
# independent observer of the kernel), iproute2 (network namespaces), Scapy (the tests' packet
# oracle and the fixture generator), libpcap (Pcap4J reads and writes pcaps through it),
# tcpdump (checks the pcaps sbulb writes), ethtool (the namespace lab turns checksum offload
# off on its senders), nftables and conntrack (the lab's gateway as a NAT: its masquerade rule,
# and its mappings flushed mid-test). Idempotent and quick when everything is there already:
# apt-get runs only for missing packages.
# With --bench, also the lab benchmark's baselines and tools: nginx with its stream module,
# util-linux (taskset, chrt); nftables, a baseline too, is there anyway. Installing nginx does
# not start Debian's nginx service (a policy-rc.d refuses it for the duration of the install
# when the machine has none).
set -euo pipefail

packages=(clang llvm libbpf-dev libbpf1 bpftool iproute2 maven gcc libc6-dev python3-scapy tcpdump libpcap-dev ethtool nftables conntrack)
command -v javac >/dev/null 2>&1 || packages+=(openjdk-17-jdk-headless)
bench=false
case "${1:-}" in
  --bench) bench=true; packages+=(nginx libnginx-mod-stream util-linux) ;;
  "") ;;
  *) echo "usage: ci/install-deps.sh [--bench]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "ci/install-deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  policy=/usr/sbin/policy-rc.d
  if $bench && [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# ci/install-deps.sh --bench: no service starts while it installs\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    trap '$sudo rm -f "$policy"' EXIT
  fi
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The XDP object's build includes <asm/types.h> from the multiarch directory.
test -e "/usr/include/$(gcc -dumpmachine)/asm/types.h" || {
  echo "ci/install-deps: /usr/include/$(gcc -dumpmachine)/asm/types.h missing (linux-libc-dev?)" >&2
  exit 1
}
