#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host-networking tests in the guest: network namespaces whose stacks are
# joined by IPN taps and grabbed interfaces.  All traffic stays inside the
# VM (QEMU has no NIC).  IPN_TCP_MB and IPN_GRAB_TCP_MB size the TCP
# transfers (100 and 20 MB).

. "$(dirname "$0")/ipn_lib.sh"

pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	pids=""
}

result() { # status name
	if [ "$1" = 0 ]; then ktap_test_pass "$2"; else ktap_test_fail "$2"; fi
}

# in_ns PID|host CMD...: run CMD in the namespace of PID, or in the VM's own.
in_ns() {
	ns=$1
	shift
	if [ "$ns" = host ]; then "$@"; else nsenter -t "$ns" -n "$@"; fi
}

# listening PID|host PORT: whether a TCP socket listens on PORT there.
listening() {
	in_ns "$1" cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		grep -q ":$(printf %04X "$2") [0-9A-F:]* 0A "
}

# rx_bytes PID|host IFACE: the bytes IFACE received so far.
rx_bytes() {
	in_ns "$1" cat /proc/net/dev | sed -n "s/^ *$2: *\([0-9]*\).*/\1/p"
}

# rx_packets PID|host IFACE: the frames IFACE received so far.
rx_packets() {
	in_ns "$1" cat /proc/net/dev | sed -n "s/^ *$2: *[0-9]* *\([0-9]*\).*/\1/p"
}

# super_frames PID|host IFACE LABEL: IFACE received frames longer than
# the MTU (1514 bytes with the header) on average: GSO super-frames.
super_frames() {
	bytes=$(rx_bytes "$1" "$2")
	frames=$(rx_packets "$1" "$2")
	ktap_print_msg "$2 received $frames frames, $bytes bytes"
	[ "${frames:-0}" -gt 0 ] && [ $((bytes / frames)) -gt 1514 ]
	result $? "$3"
}

# other_netns PID: whether PID is in another network namespace than ours.
other_netns() {
	[ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]
}

# ns_tap NAME PROTO NETPATH ADDR: a namespace holding a tap NAME on the
# network at NETPATH, with ADDR/24 on it.  Sets $ns to its holder's pid.
ns_tap() {
	unshare -n sh -c "ip link set lo up; exec ipncat -q -p $2 -T $1 $3" >/tmp/tapname.$1 &
	ns=$!
	pids="$pids $ns"
	wait_for 5 test -s /tmp/tapname.$1
	nsenter -t "$ns" -n ip link set "$1" up &&
		nsenter -t "$ns" -n ip addr add "$4/24" dev "$1"
}

# tcp_check FROM TO ADDR MB LABEL: a TCP transfer of MB megabytes from the
# namespace FROM to ADDR in TO (pids, or "host"), checked end to end.
tcp_check() {
	head -c $(($4 * 1024 * 1024)) /dev/urandom >/tmp/send.bin
	want=$(sha256sum </tmp/send.bin | cut -d' ' -f1)
	rm -f /tmp/recv.sum
	(in_ns "$2" tcpxfer -l 5001 | sha256sum | cut -d' ' -f1 >/tmp/recv.sum) &
	wait_for 5 listening "$2" 5001
	t0=$(date +%s)
	# 100 MB take 4 to 5 minutes on the emulated debug kernel: the limit
	# is there to catch a transfer that stalls, not to time it.
	if [ "$1" = host ]; then
		timeout 600 tcpxfer "$3" 5001 </tmp/send.bin
	else
		timeout 600 nsenter -t "$1" -n tcpxfer "$3" 5001 </tmp/send.bin
	fi
	wait $! 2>/dev/null
	wait_for 5 test -s /tmp/recv.sum
	got=$(cat /tmp/recv.sum 2>/dev/null)
	ktap_print_msg "$5: $4 MB in $(($(date +%s) - t0)) s"
	[ "$got" = "$want" ]
	result $? "$5: TCP transfer of $4 MB, checksum verified"
	rm -f /tmp/send.bin /tmp/recv.sum
}

ping_check() { # FROM ADDR LABEL
	in_ns "$1" ping -c 3 -W 5 "$2" >/tmp/ping.out 2>&1
	result $? "$3"
}

# The peer of the veth $1.
veth_peer() {
	want=$(cat /sys/class/net/$1/iflink)
	for d in /sys/class/net/*; do
		[ "$(cat "$d/ifindex")" = "$want" ] && echo "${d##*/}"
	done
}

promisc() { # IFACE: whether it is promiscuous (IFF_PROMISC 0x100)
	[ $(($(cat /sys/class/net/$1/flags) & 0x100)) != 0 ]
}

ktap_print_header
ktap_set_plan 30

# 1. Two namespaces with a tap each on a hub, then on a switch.
for proto in 1 2; do
	kind=hub
	[ $proto = 2 ] && kind=switch
	net=/tmp/netns-$kind
	rm -f "$net"
	ns_tap ta$proto $proto "$net" 10.99.$proto.1; a=$ns
	ns_tap tb$proto $proto "$net" 10.99.$proto.2; b=$ns
	ping_check "$a" 10.99.$proto.2 "$kind: ping from namespace A to B through IPN taps"
	ping_check "$b" 10.99.$proto.1 "$kind: ping from namespace B to A"
	tcp_check "$a" "$b" 10.99.$proto.2 "${IPN_TCP_MB:-100}" "$kind"
	# Taps take GSO super-frames from their stack and pass them whole,
	# as veth does: B's tap received frames longer than the MTU (1514
	# bytes with the header) on average.
	super_frames "$b" tb$proto "$kind: TCP crosses the network as GSO super-frames, unsegmented"

	# The interfaces go with the sockets that created them.
	cleanup
	tap_gone() { [ ! -e /sys/class/net/ta$proto ] && ! ip link show ta$proto >/dev/null 2>&1; }
	wait_for 5 tap_gone
	result $? "$kind: the taps are gone when their sockets close"
	rm -f "$net" /tmp/tapname.*
done

# 2. A veth end grabbed into a switch network; its peer, in namespace C,
# talks to a tap in namespace D.
net=/tmp/netns-grab
rm -f "$net"
ip link add gA type veth
peer=$(veth_peer gA)
unshare -n sleep 100000 &
c=$!
pids="$pids $c"
wait_for 5 other_netns "$c"
ip link set "$peer" netns "$c"
in_ns "$c" ip link set lo up
in_ns "$c" ip link set "$peer" name gB
in_ns "$c" ip link set gB up
in_ns "$c" ip addr add 10.99.3.1/24 dev gB
ip link set gA up
ipncat -q -p 2 -G gA "$net" >/dev/null &
grab=$!
pids="$pids $grab"
wait_for 5 promisc gA
result $? "grab: the grabbed interface is promiscuous"
ns_tap td 2 "$net" 10.99.3.2; d=$ns
ping_check "$c" 10.99.3.2 "grab: ping from a veth peer to a tap through a grabbed veth"
ping_check "$d" 10.99.3.1 "grab: ping from the tap to the veth peer"
tcp_check "$c" "$d" 10.99.3.2 "${IPN_GRAB_TCP_MB:-20}" "grab"
# A grabbed interface keeps its offloads: the veth's super-frames reach
# the tap whole.
super_frames "$d" td "grab: TCP from a grabbed veth reaches a tap as GSO super-frames"
# The network consumes what the grabbed interface receives, as a bridge
# does: the host's own address on it is not reachable while grabbed.
ip addr add 10.99.3.3/24 dev gA
in_ns "$c" ping -c 2 -W 2 10.99.3.3 >/tmp/ping.out 2>&1
[ $? != 0 ]
result $? "grab: the host stack does not see a grabbed interface's frames"
kill $grab
wait $grab 2>/dev/null
! promisc gA
result $? "grab: released with its socket, the interface is not promiscuous"
ping_check "$c" 10.99.3.3 "grab: released, the interface is the host's again"
cleanup
# Gone with its peer's namespace, normally.
ip link del gA 2>/dev/null
rm -f "$net" /tmp/tapname.*

# 3. The host reaches a namespace through a tap of its own.
net=/tmp/netns-host
rm -f "$net"
ipncat -q -p 2 -T h0 "$net" >/tmp/tapname.h0 &
pids="$pids $!"
wait_for 5 test -s /tmp/tapname.h0
ip link set h0 up
ip addr add 10.99.5.254/24 dev h0
ns_tap te 2 "$net" 10.99.5.1; e=$ns
ping_check host 10.99.5.1 "host: ping from the host to a namespace through a tap"
ping_check "$e" 10.99.5.254 "host: ping from the namespace to the host"
tcp_check host "$e" 10.99.5.1 "${IPN_GRAB_TCP_MB:-20}" "host"

# 4. An interface deleted while traffic flows through it.
head -c $((200 * 1024 * 1024)) /dev/zero >/tmp/send.bin
(in_ns "$e" timeout 15 tcpxfer -l 5002 >/dev/null 2>&1) &
wait_for 5 listening "$e" 5002
rx0=$(rx_bytes "$e" te)
timeout 30 tcpxfer 10.99.5.1 5002 </tmp/send.bin >/dev/null 2>&1 &
xfer=$!
# Under way: data through the tap (slowly, on a loaded emulated machine).
flowing() { [ "$(rx_bytes "$e" te)" -gt $((rx0 + 65536)) ]; }
wait_for 30 flowing || ktap_print_msg "delete: no traffic seen through te"
in_ns "$e" ip link del te
result $? "delete: ip link del of a tap while a transfer runs through it"
! in_ns "$e" ip link show te >/dev/null 2>&1
result $? "delete: the tap is gone"
kill $xfer 2>/dev/null
wait $xfer 2>/dev/null
rm -f /tmp/send.bin
ns_tap tf 2 "$net" 10.99.5.2; f=$ns
ping_check "$f" 10.99.5.254 "delete: the network carries on without it"
cleanup
rm -f "$net" /tmp/tapname.*

# 5. A persistent tap goes with its namespace, and its network with it.
net=/tmp/netns-exit
rm -f "$net"
unshare -n ipncat -q -p 1 -T px0 -P "$net" >/dev/null
result $? "netns exit: a persistent tap in a namespace about to go"
net_gone() { ! ipncat -q -w "$net" </dev/null >/dev/null 2>&1; }
wait_for 5 net_gone
result $? "netns exit: the tap and its network went with the namespace"
rm -f "$net"

# 6. Two hubs joined by a cable of two sockets with virtio-net headers
# (IPN_SO_VNET_HDR), as a VM backend would be: TCP between taps on
# either side crosses it as GSO super-frames with checksums left to
# complete, and arrives whole and right.
rm -f /tmp/netns-va /tmp/netns-vb
ns_tap tva 1 /tmp/netns-va 10.99.6.1; a=$ns
ns_tap tvb 1 /tmp/netns-vb 10.99.6.2; b=$ns
vnetcable /tmp/netns-va /tmp/netns-vb >/tmp/vnetcable.out &
cable=$!
ping_check "$a" 10.99.6.2 "vnet cable: ping across a cable with virtio-net headers"
tcp_check "$a" "$b" 10.99.6.2 "${IPN_GRAB_TCP_MB:-20}" "vnet cable"
super_frames "$b" tvb "vnet cable: the far tap receives GSO super-frames"
kill $cable
wait $cable
read -r _ frames _ gso _ max </tmp/vnetcable.out
ktap_print_msg "the cable copied $frames frames, $gso of them GSO, the longest $max bytes"
[ "${gso:-0}" -gt 0 ] && [ "${max:-0}" -gt 1514 ]
result $? "vnet cable: the sockets pass super-frames with their headers"
cleanup
rm -f /tmp/netns-va /tmp/netns-vb /tmp/tapname.* /tmp/vnetcable.out
ktap_finished
