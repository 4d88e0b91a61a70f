# SPDX-License-Identifier: GPL-2.0
#
# What the guest's shell tests share: the kernel's own KTAP helpers
# (tools/testing/selftests/kselftest/ktap_helpers.sh, installed beside this
# file from the pinned kernel tree), and waiting for a condition rather
# than sleeping for a guess.

. "$(dirname "$0")/ktap_helpers.sh"

# wait_for SECONDS COMMAND...: runs COMMAND (its errors unprinted) every
# 0.1 s until it succeeds (0) or SECONDS have passed (1).
wait_for() {
	wf_left=$(($1 * 10))
	shift
	until "$@" 2>/dev/null; do
		[ "$wf_left" -gt 0 ] || return 1
		wf_left=$((wf_left - 1))
		sleep 0.1
	done
}

# module_loaded NAME
module_loaded() {
	grep -q "^$1 " /proc/modules
}
