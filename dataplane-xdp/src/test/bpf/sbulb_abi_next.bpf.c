/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The upgrade test's second object: the same program, built with one field appended to the
 * association value, so its map layout is one version on (SBULB_ABI_VERSION one more than the
 * packaged one's). The upgrade migrates pinned state from the packaged object's layout into
 * this one.
 */
#define SBULB_ABI_TEST_EXTRA
#include "sbulb.bpf.c"
