#!/bin/sh
# Host-networking tests in the guest: network namespaces whose stacks are
# joined by IPN taps.  Prints TAP lines ("ok"/"not ok - name"); the guest's
# init numbers them.  All traffic stays inside the VM (QEMU has no NIC).

pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	pids=""
}

result() { # status name
	if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi
}

# ns_tap NAME PROTO NETPATH ADDR: a namespace holding a tap NAME on the
# network at NETPATH, with ADDR/24 on it.  Sets $ns to its holder's pid.
ns_tap() {
	unshare -n sh -c "ip link set lo up; exec ipncat -q -p $2 -T $1 $3" >/tmp/tapname.$1 &
	ns=$!
	pids="$pids $ns"
	i=0
	while [ ! -s /tmp/tapname.$1 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	nsenter -t "$ns" -n ip link set "$1" up &&
		nsenter -t "$ns" -n ip addr add "$4/24" dev "$1"
}

for proto in 1 2; do
	kind=hub
	[ $proto = 2 ] && kind=switch
	net=/tmp/netns-$kind
	rm -f "$net"
	ns_tap ta$proto $proto "$net" 10.99.$proto.1; a=$ns
	ns_tap tb$proto $proto "$net" 10.99.$proto.2; b=$ns
	nsenter -t "$a" -n ping -c 3 -W 5 10.99.$proto.2 >/tmp/ping.out 2>&1
	result $? "$kind: ping from namespace A to B through IPN taps"
	nsenter -t "$b" -n ping -c 3 -W 5 10.99.$proto.1 >/tmp/ping.out 2>&1
	result $? "$kind: ping from namespace B to A"

	# A TCP transfer, checked end to end.
	size_mb=${IPN_TCP_MB:-100}
	head -c $((size_mb * 1024 * 1024)) /dev/urandom >/tmp/send.bin
	want=$(sha256sum </tmp/send.bin | cut -d' ' -f1)
	(nsenter -t "$b" -n tcpxfer -l 5001 | sha256sum | cut -d' ' -f1 >/tmp/recv.sum) &
	sleep 0.5
	t0=$(date +%s)
	timeout 300 nsenter -t "$a" -n tcpxfer 10.99.$proto.2 5001 </tmp/send.bin
	wait $! 2>/dev/null
	i=0
	while [ ! -s /tmp/recv.sum ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	got=$(cat /tmp/recv.sum 2>/dev/null)
	echo "# $kind: ${size_mb} MB in $(($(date +%s) - t0)) s"
	[ "$got" = "$want" ]
	result $? "$kind: TCP transfer of $size_mb MB, checksum verified"
	rm -f /tmp/send.bin /tmp/recv.sum

	# The interfaces go with the sockets that created them.
	cleanup
	sleep 0.5
	[ ! -e /sys/class/net/ta$proto ] && ! ip link show ta$proto >/dev/null 2>&1
	result $? "$kind: the taps are gone when their sockets close"
	rm -f "$net" /tmp/tapname.*
done
