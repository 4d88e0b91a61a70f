#!/bin/sh
# The demo the README's first command shows: processes joining an IPN hub
# and exchanging messages, then a stream fanned out to late joiners.
set -e
say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
# wait_for CMD...: up to 10 s for CMD to succeed (the VM may be slow: TCG).
# Its counter has a name of its own: the callers loop over $i.
wait_for() {
	tries=0
	until "$@" >/dev/null 2>&1; do
		tries=$((tries + 1))
		[ $tries -ge 100 ] && return 1
		sleep 0.1
	done
}

# The first AF_IPN socket loads ipn.ko (alias net-pf-46). Done once up
# front: processes racing the module's load may see EAFNOSUPPORT.  A
# kernel without AF_IPN cannot load it on demand: then it is loaded here.
ipncat -q -b /tmp/first </dev/null >/dev/null 2>&1 || modprobe ipn
rm -f /tmp/first

say "1. Peer to peer: alice, bob and carol run the same code (bind + connect) on /tmp/hub"
for who in alice bob carol; do
	( sleep 2; echo "hello from $who"; sleep 3 ) | ipncat -q -b /tmp/hub >/tmp/$who.log &
done
wait
for who in alice bob carol; do
	echo "$who received:"; sed 's/^/    /' /tmp/$who.log
done

say "2. A stream with no server: a producer sends 1 line every 0.2 s; consumers join late"
( i=1; while [ $i -le 12 ]; do echo "frame $i"; i=$((i + 1)); sleep 0.2; done; sleep 0.5 ) |
	ipncat -q -b -w /tmp/stream &
sleep 0.4
ipncat -q -r /tmp/stream >/tmp/early.log &
early=$!
sleep 1
ipncat -q -r /tmp/stream >/tmp/late.log &
late=$!
sleep 2
kill $early $late 2>/dev/null || true
wait 2>/dev/null || true
echo "early consumer got: $(tr '\n' ' ' </tmp/early.log)"
echo "late consumer got:  $(tr '\n' ' ' </tmp/late.log)"

say "3. The network is a filesystem node; its permissions are the access control"
ls -l /tmp/hub /tmp/stream
rm -f /tmp/hub /tmp/stream

say "4. Two network namespaces, as two VMs would, on an IPN Ethernet switch"
pids=""
for i in 1 2; do
	unshare -n sh -c "ip link set lo up; exec ipncat -q -p 2 -T eth0 /tmp/switch" >/dev/null &
	pids="$pids $!"
	wait_for nsenter -t $! -n ip link show eth0
	nsenter -t $! -n ip link set eth0 up
	nsenter -t $! -n ip addr add 10.99.0.$i/24 dev eth0
	echo "namespace $i: eth0 $(nsenter -t $! -n ip link show eth0 | awk '/ether/ {print $2}'), 10.99.0.$i"
done
set -- $pids
nsenter -t "$1" -n ping -c 3 10.99.0.2
echo "The host joins the switch through a tap of its own, and reaches both:"
ipncat -q -p 2 -T sw0 /tmp/switch >/dev/null &
pids="$pids $!"
wait_for ip link show sw0
ip link set sw0 up
ip addr add 10.99.0.254/24 dev sw0
ping -c 2 10.99.0.1
ping -c 2 10.99.0.2
kill $pids
wait 2>/dev/null || true
rm -f /tmp/switch
echo
echo "IPN demo done."
