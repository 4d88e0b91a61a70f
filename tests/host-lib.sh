# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Helpers of the scripts that the test guest runs chrooted into the host's
# root filesystem (tests/vm-tests.sh, tools/bench/bench.sh). Sourced
# first; then "host_env DIR" sets up the environment and the scratch
# directory W=DIR.

# host_env DIR: the project's programs and plug-in (in /tmp/ipn) before
# Debian's, and an empty scratch directory W=DIR, with the FIFO $W/hold:
# standard input for daemons that quit at its end (vde_plug with one URL,
# vde_switch), which, opened read-write, never ends.
host_env() {
	export PATH=/tmp/ipn/bin:/usr/sbin:/usr/bin:/sbin:/bin
	# The project's plug-in first, then Debian's (vde://, udp://, ...).
	VDEPLUGIN_PATH=/tmp/ipn/vdeplug:$(dirname "$(ldconfig -p |
		awk '/libvdeplug\.so\.2 /{print $NF; exit}')")/vdeplug
	export VDEPLUGIN_PATH HOME=/root TMPDIR="$1/tmp"
	W=$1
	rm -rf "$W"
	mkdir -p -m 0755 "$W" "$W/tmp"
	mkfifo "$W/hold"
}

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
