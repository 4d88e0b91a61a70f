#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The modules' life cycle, in the test guest (tests/guest-init), whose
# /modules holds them and where modprobe finds them.
#
#   modules.sh autoload   first, before anything loads ipn.ko: the first
#                         AF_IPN socket loads it through its alias
#   modules.sh unload     last: what keeps the modules loaded, what
#                         unloads them, and a load that fails late

. "$(dirname "$0")/ipn_lib.sh"

ktap_print_header

case "$1" in
autoload)
	ktap_set_plan 1
	ipncat -q -b -r /tmp/autoload-net </dev/null >/dev/null 2>&1 &
	holder=$!
	if wait_for 10 module_loaded ipn; then
		ktap_test_pass "socket(AF_IPN) loads ipn.ko on demand"
	else
		# A stock kernel has no family 46 to load a module for: ipn.ko,
		# loaded by hand, takes a borrowed slot there.  On a kernel
		# with AF_IPN it must have loaded.
		modprobe ipn
		family=$(cat /sys/module/ipn/parameters/family 2>/dev/null)
		if [ -n "$family" ] && [ "$family" != 46 ]; then
			ktap_test_skip "socket(AF_IPN) loads ipn.ko on demand (no AF_IPN in this kernel: ipn.ko took family $family)"
		else
			ktap_test_fail "socket(AF_IPN) loads ipn.ko on demand"
		fi
	fi
	kill $holder
	wait $holder 2>/dev/null
	;;
unload)
	ktap_set_plan 8
	# rmmod is refused while a socket exists, and works after it closes.
	ipncat -q -b -r /tmp/rmmod-net </dev/null >/dev/null 2>&1 &
	holder=$!
	wait_for 10 test -S /tmp/rmmod-net ||
		ktap_print_msg "ipncat did not bind /tmp/rmmod-net"
	ktap_test_result "rmmod ipn refused while a socket is open" \
		eval '! rmmod ipn 2>/dev/null'
	kill $holder
	wait $holder 2>/dev/null

	# A persistent interface outlives its socket and holds the modules
	# (its network's policy too) until it is deleted.
	ktap_test_result "a persistent tap outlives its socket" \
		eval 'ipncat -q -p 2 -T ipnpst0 -P /tmp/rmmod-persist >/dev/null'
	ktap_test_result "rmmod ipn refused while a persistent interface exists" \
		eval '! rmmod ipn 2>/dev/null'
	ktap_test_result "rmmod kvde_switch refused while its network persists" \
		eval '! rmmod kvde_switch 2>/dev/null'
	ktap_test_result "ip link del removes the persistent tap" \
		eval 'ip link del ipnpst0 && ! ip link show ipnpst0 >/dev/null 2>&1'

	for m in /modules/*.ko; do
		case $m in
		*/ipn.ko) ;;
		*) rmmod "$(basename "$m" .ko)" 2>/dev/null ;;
		esac
	done
	ktap_test_result "rmmod ipn after the last socket closed" rmmod ipn
	# A load that fails late (AF_UNIX's number is taken) undoes every
	# registration made before: the next load would find them otherwise.
	if insmod /modules/ipn.ko family=1 2>/dev/null; then
		ktap_test_fail "insmod ipn family=1 (taken) fails"
		rmmod ipn
	else
		ktap_test_pass "insmod ipn family=1 (taken) fails"
	fi
	ktap_test_result "insmod and rmmod again" \
		eval 'insmod /modules/ipn.ko && rmmod ipn'
	;;
*)
	ktap_exit_fail_msg "usage: modules.sh autoload|unload"
	;;
esac
ktap_finished
