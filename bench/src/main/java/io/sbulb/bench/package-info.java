/**
 * End-to-end benchmarks in the namespace lab ({@link io.sbulb.lab.Lab}): delivered packets and
 * loss at offered loads, CPU per packet and round-trip times, for sbulb and for the baselines
 * (nftables DNAT with conntrack, nginx's UDP stream proxy); memory; control-plane latencies.
 * Run with {@code ci/bench.sh --only lab} (root; results in BENCHMARKS.md). Nothing here asserts on time.
 */
package io.sbulb.bench;
