# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Helpers of the scripts that the test guest runs chrooted into the host's
# root filesystem (tests/vm-tests.sh, tools/bench/bench.sh). Sourced after
# setting W, the scratch directory, which must hold the FIFO $W/hold.

pids=""
nss=""
cleanup() { # kill what bg/held started, delete the namespaces
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for n in $nss; do ip netns del "$n" 2>/dev/null; done
	pids=""
	nss=""
}
trap cleanup EXIT

# wait_for SECONDS CMD...: until CMD succeeds.  Counted in time, not in
# tries: starting a program from the 9p root takes a while here.
wait_for() {
	end=$(($(date +%s) + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.1
	done
}

bg() { # run CMD... in the background, remembered for cleanup
	"$@" &
	pids="$pids $!"
}

# held CMD...: the same, for daemons that quit at the end of their standard
# input (vde_plug with one URL, vde_switch): theirs is a FIFO opened
# read-write, which never ends.  (An asynchronous command's standard input
# is /dev/null unless redirected on the command itself.)
held() {
	"$@" <>$W/hold >/dev/null &
	pids="$pids $!"
}

netns() { # NAME: a fresh network namespace with lo up
	ip netns add "$1" && nss="$nss $1" && ip -n "$1" link set lo up
}
