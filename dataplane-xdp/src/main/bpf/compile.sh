#!/bin/sh
# Compiles BPF C sources into objects: compile.sh CLANG OUT_DIR SOURCE.bpf.c...
# Flags as the brief asks: -O2 -g (BTF, which libbpf needs) -Wall -Werror -target bpf.
# asm/types.h lives in the multiarch include directory on Debian/Ubuntu, hence -idirafter.
set -eu
clang=$1; out=$2; shift 2
mkdir -p "$out"
multiarch=$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)
for src in "$@"; do
  obj="$out/$(basename "$src" .c).o"
  "$clang" -O2 -g -Wall -Werror -target bpf \
    -I"$(dirname "$src")" -I"$(dirname "$0")" -idirafter "/usr/include/$multiarch" \
    -c "$src" -o "$obj"
done
