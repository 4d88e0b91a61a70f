#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of "./run bench": IPN and its peers side by side in one
# boot.  Runs inside the test guest, chrooted into the host's root
# filesystem (as tests/vm-tests.sh), so that the peers are Debian's own
# programs: vde_switch, vde_plug, iperf3, iproute2, User-Mode Linux.
#
#   bench.sh full|quick|profile
#
# Prints one line per measurement,
#   BENCH <group> <case> <peer> <value>
# and the host's tools/bench/report.py makes the tables from them.  Each
# repetition measures every peer once, in turn, so that drift in the
# emulated machine hits all of them alike.  quick: one short repetition of
# everything, for CI (the numbers mean nothing, the commands must work).
# profile: IPN and its nearest peer once each, in the cases whose targets
# are missed, under perf (Debian's, sampling every CPU); prints where the
# CPUs were, per case, as
#   PROF <case> <address> <samples>
# and the modules' load addresses, for tools/bench/profile.py to name (the
# plain kernel has no kallsyms).
set -u
. /tmp/ipn/bin/ipn-host-lib.sh
host_env /tmp/bench

mode=${1:-full}
case $mode in
quick) reps=1 secs=0.3 iperf_s=1 pings=10 uml_mb=1 ;;
profile) reps=1 secs=4 iperf_s=4 pings=10 uml_mb=1 ;;
*) reps=5 secs=1.5 iperf_s=6 pings=200 uml_mb=8 ;;
esac
echo "BENCH-CONFIG reps=$reps fanout_s=$secs iperf_s=$iperf_s pings=$pings uml_mb=$uml_mb cpus=$(nproc) kernel=$(uname -r)"

emit() { # GROUP CASE PEER VALUE
	echo "BENCH $1 $2 $3 ${4:-fail}"
}

# measure CASE CMD...: CMD; in profile mode, under perf, its samples'
# addresses counted into $W/prof.txt.
measure() {
	m_case=$1
	shift
	if [ "$mode" != profile ]; then
		"$@"
		return
	fi
	perf record -q -a -e cpu-clock -F 1000 -o $W/perf.data -- "$@" 2>/dev/null
	perf script -i $W/perf.data -F ip 2>/dev/null |
		awk -v c="$m_case" '{ n[$1]++ } END { for (a in n) print "PROF", c, a, n[a] }' |
		sort -k4 -nr | head -n 2000 >>$W/prof.txt
}

# profiled CASE: whether profile mode looks at CASE (all run otherwise).
profiled() {
	[ "$mode" != profile ] && return 0
	case $1 in
	fanout:n=1,size=64:ipn | fanout:n=1,size=64:unix | pingpong:size=64:ipn | \
		pingpong:size=64:unix | netns:switch | netns:hub | netns:bridge) return 0 ;;
	esac
	return 1
}

# --- Messages: fan-out and ping-pong -------------------------------------

# UDP multicast on loopback needs it marked multicast-capable.
ip link set lo up
ip link set lo multicast on
held vde_switch --hub -n 128 -s $W/vdehub
wait_for 10 test -S $W/vdehub/ctl

# IPN networks of the fan-out: a queue of up to 4096 messages, so that, as
# for the AF_UNIX socketpairs they are measured against, the receive
# buffer bounds it.  The default pool (8 messages) makes a sender wait,
# and both sides switch context, every few messages: a third slower for
# one receiver.
pool=4096

num() { # the first field of ipnbench's line
	sed -n 's/^\([0-9.]*\) .*/\1/p'
}

rep=1
while [ $rep -le $reps ]; do
	for size in 64 1500; do
		for n in 1 4 16 64; do
			for peer in ipn ipn-lossy unix udp vde; do
				profiled "fanout:n=$n,size=$size:$peer" || continue
				p=$W/fan-$peer
				[ $peer = vde ] && p=$W/vdehub
				v=$(measure "fanout-$n-$size-$peer" ipnbench fanout -t $peer -p $p \
					-q $pool -n $n -s $size -d $secs | num)
				emit fanout "n=$n,size=$size" $peer "$v"
			done
		done
	done
	for size in 64 1500; do
		for peer in ipn unix vde; do
			profiled "pingpong:size=$size:$peer" || continue
			p=$W/pp-$peer
			[ $peer = vde ] && p=$W/vdehub
			v=$(measure "pingpong-$size-$peer" ipnbench pingpong -t $peer -p $p -s $size \
				-d $secs | num)
			emit pingpong "size=$size" $peer "$v"
		done
	done
	rep=$((rep + 1))
done
cleanup

# --- Namespaces over L2: TCP and latency ---------------------------------

# addr NS IFACE ADDR: IFACE in NS up with ADDR/24.
addr() {
	ip -n "$1" link set "$2" up && ip -n "$1" addr add "$3/24" dev "$2"
}

# Two namespaces per setup, NAMEa (.1) and NAMEb (.2) on 10.9.N.0/24.
# IPN: a tap each on a kvde_switch or hub network.
for s in switch:1:2 hub:2:1; do
	name=${s%%:*} net=${s#*:}; net=${net%:*} proto=${s##*:}
	for side in a:1 b:2; do
		ns=$name${side%:*}
		netns $ns
		bg ip netns exec $ns ipncat -q -p $proto -T ipn$ns $W/net-$name >/dev/null
		wait_for 10 ip -n $ns link show ipn$ns && addr $ns ipn$ns 10.9.$net.${side#*:}
	done
done
# A Linux bridge with a veth pair to each.
netns bridgea
netns bridgeb
ip link add br-bench type bridge && ip link set br-bench up
for side in a:1 b:2; do
	ns=bridge${side%:*}
	ip link add v$ns type veth peer name e$ns
	ip link set e$ns netns $ns
	ip link set v$ns master br-bench && ip link set v$ns up
	addr $ns e$ns 10.9.3.${side#*:}
done
# vde_switch, with a vde_plug to a tap in each.
held vde_switch -s $W/vdesw
wait_for 10 test -S $W/vdesw/ctl
for side in a:1 b:2; do
	ns=vde${side%:*}
	netns $ns
	held ip netns exec $ns vde_plug "vde://$W/vdesw" "tap://t$ns"
	wait_for 10 ip -n $ns link show t$ns && addr $ns t$ns 10.9.4.${side#*:}
done

setups="switch:1 hub:2 bridge:3 vde:4"
for s in $setups; do
	# Neighbours resolved and the path checked before anything is timed.
	ip netns exec ${s%:*}a ping -q -c 3 -W 5 10.9.${s#*:}.2 >/dev/null ||
		echo "# ${s%:*}: no ping across"
done

# mbits NS ADDR: iperf3's receiver rate in Mbit/s.
mbits() {
	measure "netns-tcp-${1%a}" ip netns exec "$1" timeout $((iperf_s + 30)) \
		iperf3 -c "$2" -t $iperf_s -f m 2>&1 |
		awk '/receiver/ { for (i = 2; i <= NF; i++) if ($i == "Mbits/sec") print $(i - 1) }'
}

# rtt_us NS ADDR: ping's mean round trip in microseconds.
rtt_us() {
	ip netns exec "$1" ping -q -c $pings -i 0.01 -W 2 "$2" 2>/dev/null |
		awk -F/ '/^rtt/ { printf "%.1f\n", $5 * 1000 }'
}

rep=1
while [ $rep -le $reps ]; do
	for s in $setups; do
		name=${s%:*}
		profiled "netns:$name" || continue
		# A server for one test, in the background once it listens.
		ip netns exec ${name}b iperf3 -s -1 -D >/dev/null 2>&1
		sleep 0.3
		emit netns-tcp tcp $name "$(mbits ${name}a 10.9.${s#*:}.2)"
		emit netns-rtt ping $name "$(rtt_us ${name}a 10.9.${s#*:}.2)"
	done
	rep=$((rep + 1))
done
pkill -x iperf3
ip link del br-bench
cleanup

if [ "$mode" = profile ]; then
	awk '{ print "PROF-MODULE", $1, $6 }' /proc/modules
	cat $W/prof.txt
	echo "BENCH-DONE"
	exit 0
fi

# --- A VM to the host: User-Mode Linux through the IPN plug-in and vde ---

# A UML guest that pings the host and sends it uml_mb megabytes over TCP,
# timed inside the guest (its clock runs with the host's).
r=$W/umlroot
mkdir -p $r/bin $r/proc $r/dev $r/tmp
cp /bin/busybox /tmp/ipn/bin/tcpxfer $r/bin/
for a in sh mount ip ping head cat poweroff; do ln -s busybox $r/bin/$a; done
cat >$r/init <<'EOF'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
read -r cmdline </proc/cmdline
for w in $cmdline; do
	case $w in ipnvm.*=*) k=${w%%=*}; eval "${k#ipnvm.}=\${w#*=}" ;; esac
done
ip link set eth0 up
ip addr add $ip/24 dev eth0
ping -c 3 -W 5 $host >/dev/null
echo "UML-PING $(ping -q -c $pings $host | sed -n 's/.*= [0-9.]*\/\([0-9.]*\)\/.*/\1/p')"
head -c $((mb * 1048576)) /dev/zero >/tmp/data
read -r t0 rest </proc/uptime
tcpxfer $host 5001 </tmp/data && read -r t1 rest </proc/uptime &&
	echo "UML-XFER $t0 $t1"
poweroff -f
EOF
chmod +x $r/init
(cd $r && find . | cpio -o -H newc --quiet | gzip -1) >$W/uml.cpio.gz

# uml_bench PEER URL: boot the guest on URL, the host at 10.9.9.1.
uml_bench() {
	bg sh -c 'tcpxfer -l 5001 >/dev/null'
	timeout 600 linux.uml mem=64M initrd=$W/uml.cpio.gz "eth0=vde,$2,52:54:00:00:09:02" \
		con=null con0=null,fd:1 ipnvm.ip=10.9.9.2 ipnvm.host=10.9.9.1 \
		ipnvm.pings=$((pings < 50 ? pings : 50)) ipnvm.mb=$uml_mb pty.legacy_count=0 \
		</dev/null >$W/uml-$1.out 2>&1
	emit vm-rtt ping "$1" "$(sed -n 's/.*UML-PING \([0-9.]*\).*/\1/p' $W/uml-$1.out |
		awk '{ printf "%.1f\n", $1 * 1000 }')"
	emit vm-tcp tcp "$1" "$(sed -n 's/.*UML-XFER \([0-9.]*\) \([0-9.]*\).*/\1 \2/p' $W/uml-$1.out |
		awk -v mb=$uml_mb '$2 > $1 { printf "%.1f\n", mb * 8.388608 / ($2 - $1) }')"
	grep -q UML-XFER $W/uml-$1.out || sed 's/^/# uml: /' $W/uml-$1.out | tail -n 20
	cleanup
}

bg ipncat -q -p 2 -T ipnvm0 $W/vmnet >/dev/null
wait_for 10 ip link show ipnvm0 && ip link set ipnvm0 up && ip addr add 10.9.9.1/24 dev ipnvm0
uml_bench ipn "ipn://$W/vmnet"
ip link del ipnvm0 2>/dev/null
held vde_switch -s $W/vmsw -t vdevm0
wait_for 10 ip link show vdevm0 && ip link set vdevm0 up && ip addr add 10.9.9.1/24 dev vdevm0
uml_bench vde "vde://$W/vmsw"
echo "BENCH-DONE"
