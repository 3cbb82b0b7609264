/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The shipped single-service program (map layout 1), frozen as it was before services
 * (c189c4e~1:dataplane-xdp/src/main/bpf): the upgrade test loads it, makes associations with
 * it, and upgrades its pinned state to the packaged program's layout. The headers beside this
 * file are that build's, found first.
 */
#include "sbulb.bpf.c"
