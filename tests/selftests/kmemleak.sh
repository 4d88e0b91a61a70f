#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# No kernel memory leaked by what ran before (the last test of a run, on a
# kernel with kmemleak).

. "$(dirname "$0")/ipn_lib.sh"

ktap_print_header
if [ ! -w /sys/kernel/debug/kmemleak ]; then
	ktap_skip_all "kmemleak not available in this kernel"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 1
# Two scans: kmemleak reports an object only once it has stayed
# unreferenced across scans, so the pause between them is the point.
echo scan >/sys/kernel/debug/kmemleak
sleep 2
echo scan >/sys/kernel/debug/kmemleak
leaks=$(grep -c '^unreferenced object' /sys/kernel/debug/kmemleak)
if [ "$leaks" = 0 ]; then
	ktap_test_pass "kmemleak: no leaks"
else
	head -60 /sys/kernel/debug/kmemleak | sed 's/^/# /'
	ktap_test_fail "kmemleak: $leaks unreferenced objects"
fi
ktap_finished
