#!/bin/sh
# VMs and VDE tools on IPN networks, with Debian's own programs, unchanged:
# QEMU (-nic vde), User-Mode Linux (eth0=vde), vde_plug and vde_switch, and
# iproute2 for VXLAN.  Runs inside the test guest, chrooted into the host's
# root filesystem (read-only over 9p; /tmp, /dev, /proc, /sys are the
# guest's), with the project's programs and plug-in in /tmp/ipn.
#
#   vm-tests.sh test    every case; prints "ok - name" / "not ok - name"
#   vm-tests.sh demo    two UML VMs on an IPN switch with the host: verbose
#
# All traffic stays inside the test VM, which has no NIC.
set -u
. /tmp/ipn/bin/ipn-host-lib.sh
host_env /tmp/vm

result() { # status name
	if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi
}

# tap NS NAME NET ADDR [PROTO]: an IPN tap NAME on network NET (created as
# a switch unless PROTO says otherwise) inside namespace NS ("-" for the
# VM's own), up, with ADDR/24.
tap() {
	if [ "$1" = - ]; then
		bg ipncat -q -p "${5:-2}" -T "$2" "$3" >/dev/null
		wait_for 10 ip link show "$2" &&
			ip link set "$2" up && ip addr add "$4/24" dev "$2"
	else
		bg ip netns exec "$1" ipncat -q -p "${5:-2}" -T "$2" "$3" >/dev/null
		wait_for 10 ip -n "$1" link show "$2" &&
			ip -n "$1" link set "$2" up && ip -n "$1" addr add "$4/24" dev "$2"
	fi
}

pings() { # NS|- ADDR: three pings get through (ARP may eat the first)
	if [ "$1" = - ]; then ping -q -c 3 -W 5 "$2" >/dev/null 2>&1 ||
		ping -q -c 3 -W 5 "$2"
	else ip netns exec "$1" ping -q -c 3 -W 5 "$2" >/dev/null 2>&1 ||
		ip netns exec "$1" ping -q -c 3 -W 5 "$2"; fi
}

# --- The plug-in's errors -------------------------------------------------

# open_fails ERRTEXT MSGTEXT URL: vde_plug fails to open URL with the errno
# text ERRTEXT and the plug-in's line containing MSGTEXT.
open_fails() {
	out=$(timeout 10 vde_plug "$3" </dev/null 2>&1)
	rc=$?
	[ $rc = 1 ] && echo "$out" | grep -q "$1" && echo "$out" | grep -q "ipn: .*$2" && return 0
	echo "# rc=$rc: $out"
	return 1
}

case_errors() {
	open_fails "Invalid argument" "known: port" "ipn://$W/x[bogus=1]"
	result $? "vdeplug: an unknown option gives EINVAL and names the known ones"
	open_fails "Invalid argument" "absolute path" "ipn://relative/net"
	result $? "vdeplug: a relative path gives EINVAL"
	open_fails "Invalid argument" "expected a number" "ipn://$W/x[create/mtu=70000]"
	result $? "vdeplug: an MTU out of range gives EINVAL"
	open_fails "Invalid argument" "add 'create'" "ipn://$W/x[numnodes=4]"
	result $? "vdeplug: shaping options without create give EINVAL"
	open_fails "Connection refused" "no such network" "ipn://$W/none"
	result $? "vdeplug: a missing network gives ECONNREFUSED and says so"
	: >$W/plainfile
	open_fails "Connection refused" "not a live IPN network" "ipn://$W/plainfile"
	result $? "vdeplug: a regular file is not a network"
}

# --- vde_plug cables --------------------------------------------------------

# Two namespaces, one on an IPN switch, one on a userland vde_switch (its
# own tap), joined by vde_plug ipn:// vde://: ping both ways.
case_vde_switch() {
	netns vsa && netns vsb
	tap vsa v0 $W/ipnsw 10.0.5.1
	held ip netns exec vsb vde_switch -s $W/vdesw -t vt0 -M $W/vdemgmt
	wait_for 10 ip -n vsb link show vt0 &&
		ip -n vsb link set vt0 up && ip -n vsb addr add 10.0.5.2/24 dev vt0
	wait_for 10 test -S $W/vdesw/ctl
	bg vde_plug "ipn://$W/ipnsw" "vde://$W/vdesw"
	pings vsa 10.0.5.2 && pings vsb 10.0.5.1
	result $? "vde_plug ipn:// vde://: an IPN switch and vde_switch exchange frames both ways"
	cleanup
}

# Two IPN networks (a switch and a hub) joined by vde_plug ipn:// ipn://.
case_ipn_cable() {
	netns ca && netns cb
	tap ca c0 $W/net1 10.0.4.1 2
	tap cb c1 $W/net2 10.0.4.2 1
	bg vde_plug "ipn://$W/net1[policy=switch]" "ipn://$W/net2[policy=hub]"
	pings ca 10.0.4.2 && pings cb 10.0.4.1
	result $? "vde_plug ipn:// ipn://: a cable between two IPN networks"
	# TCP over the cable: the taps' GSO super-frames with partial
	# checksums reach vde_plug's sockets cut to wire size with their
	# checksums complete, or the far stack would drop them.
	tcp_sum ca cb 10.0.4.2
	result $? "vde_plug ipn:// ipn://: 4 MB of TCP from tap to tap through the cable's sockets, SHA-256 checked"
	cleanup
}

# tcp_sum FROM TO ADDR: 4 MB over TCP from namespace FROM to ADDR in TO,
# SHA-256 checked.
tcp_sum() {
	head -c 4194304 /dev/urandom >$W/tcp.bin
	want=$(sha256sum <$W/tcp.bin | cut -d' ' -f1)
	rm -f $W/tcp.sum
	ip netns exec "$2" sh -c "timeout 130 tcpxfer -l 5003 | sha256sum >$W/tcp.sum" &
	lpid=$!
	wait_for 10 sh -c "ip netns exec $2 cat /proc/net/tcp | grep -q ':138B .* 0A '"
	timeout 120 ip netns exec "$1" tcpxfer "$3" 5003 <$W/tcp.bin
	wait $lpid
	got=$(cut -d' ' -f1 $W/tcp.sum 2>/dev/null)
	rm -f $W/tcp.bin $W/tcp.sum
	[ "$got" = "$want" ]
}

# port_of NS IFACE NET: the port of the tap IFACE (in NS) on NET.
port_of() {
	ip netns exec "$1" ipnctl port ls "$3" | sed -n "s/.* port \([0-9]*\): tap .* $2 ifindex.*/\1/p"
}

# Two switches, each with a tap on an access port of VLAN 20, cabled by
# vde_plug between trunk ports that carry VLAN 20 only, tagged: TCP's GSO
# super-frames are tagged (their payload shared) on one side, cut to wire
# size for the cable's sockets, and untagged on the other.  The taps' MTU
# leaves room for the tag: a socket sends no frame over the network's MTU.
case_vlan_gso() {
	netns va && netns vb
	tap va vl0 $W/vlsw1 10.0.6.1 && tap vb vl1 $W/vlsw2 10.0.6.2 &&
		p0=$(port_of va vl0 $W/vlsw1) && p1=$(port_of vb vl1 $W/vlsw2) &&
		[ -n "$p0" ] && [ -n "$p1" ] &&
		ipnctl switch vlan $W/vlsw1 "$p0" 20 && ipnctl switch vlan $W/vlsw2 "$p1" 20 &&
		ip -n va link set vl0 mtu 1496 && ip -n vb link set vl1 mtu 1496
	ok=$?
	bg vde_plug "ipn://$W/vlsw1[port=5]" "ipn://$W/vlsw2[port=5]"
	for sw in vlsw1 vlsw2; do
		wait_for 10 sh -c "ipnctl port ls $W/$sw | grep -q ' port 5: socket'" &&
			ipnctl switch vlan $W/$sw 5 0 && ipnctl switch trunk $W/$sw 5 add 20 ||
			ok=1
	done
	[ $ok = 0 ] && pings va 10.0.6.2
	result $? "switch VLANs: access ports of VLAN 20 reach each other over a trunk cable (ports ${p0:-?}, ${p1:-?})"
	tcp_sum va vb 10.0.6.2
	result $? "switch VLANs: 4 MB of TCP over the trunk cable (tagged, then untagged), SHA-256 checked"
	tcp_sum vb va 10.0.6.1
	result $? "switch VLANs: 4 MB of TCP over the trunk cable the other way, SHA-256 checked"
	cleanup
}

# A network made by the plug-in ([create]) with its shape, joined by a tap.
case_create() {
	# The mode as given (not masked by the umask).
	held sh -c "umask 0; exec vde_plug 'ipn://$W/made[create/policy=switch/numnodes=8/mode=0770/msgpool=16]'"
	wait_for 10 test -S $W/made
	mode=$(stat -c %a $W/made)
	netns mk
	tap mk m0 $W/made 10.0.3.1
	rc=$?
	[ "$mode" = 770 ] && [ $rc = 0 ]
	result $? "vdeplug: [create] makes the network with its mode and options (mode $mode)"
	cleanup
}

# --- User-Mode Linux -----------------------------------------------------

# A busybox initramfs for UML guests.  Each guest reads its part from the
# kernel command line: ipnvm.ip, ipnvm.peer, ipnvm.host, ipnvm.role.  Every
# process a UML guest starts costs a host fork under ptrace, which is slow
# in the TCG test VM: the init script forks as little as it can.
uml_initrd() {
	r=$W/umlroot
	rm -rf $r
	mkdir -p $r/bin $r/proc $r/dev $r/tmp
	cp /bin/busybox /tmp/ipn/bin/tcpxfer $r/bin/
	for a in sh mount ip ping head sha256sum wc poweroff; do ln -s busybox $r/bin/$a; done
	cat >$r/init <<'EOF'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t devtmpfs dev /dev
read -r cmdline </proc/cmdline
for w in $cmdline; do
	case $w in
	ipnvm.*=*) k=${w%%=*}; eval "${k#ipnvm.}=\${w#*=}" ;;
	esac
done
ip link set eth0 up
ip addr add $ip/24 dev eth0
echo "UML-UP $ip"
# ARP may take the first ping or two.
ping_retry() {
	i=0
	until ping -c 1 -W 2 $1 >/dev/null; do
		i=$((i + 1))
		[ $i -ge $2 ] && return 1
	done
}
ping_retry $host 5 && echo "UML-PING-HOST ok"
case $role in
recv)
	tcpxfer -l 5001 >/tmp/data
	echo "UML-RECV $(wc -c </tmp/data) $(sha256sum </tmp/data)"
	;;
send)
	ping_retry $peer 30 && echo "UML-PING-PEER ok"
	head -c 2097152 /dev/urandom >/tmp/data
	echo "UML-SENT $(wc -c </tmp/data) $(sha256sum </tmp/data)"
	i=0
	until tcpxfer $peer 5001 </tmp/data; do
		i=$((i + 1)); [ $i -ge 10 ] && break
	done
	;;
esac
case $role in
recv | send)
	# Up until the host has pinged this VM: it connects here when done.
	tcpxfer -l 5002 >/dev/null
	;;
demo)
	ping_retry $peer 30
	ping -c 3 $host
	ping -c 3 $peer
	;;
esac
echo "UML-DONE"
poweroff -f
EOF
	chmod +x $r/init
	(cd $r && find . | cpio -o -H newc --quiet | gzip -1) >$W/uml.cpio.gz
}

# uml NAME URL MAC IP PEER HOST ROLE: a UML guest in the background, its
# console in $W/NAME.out.
uml() {
	bg timeout 400 linux.uml mem=48M initrd=$W/uml.cpio.gz \
		"eth0=vde,$2,$3" con=null con0=null,fd:1 \
		"ipnvm.ip=$4" "ipnvm.peer=$5" "ipnvm.host=$6" "ipnvm.role=$7" \
		pty.legacy_count=0 \
		</dev/null >$W/$1.out 2>&1
	eval "pid_$1=\$!"
}

case_uml() {
	uml_initrd
	tap - umltap0 $W/umlnet 10.0.8.1
	uml a "ipn://$W/umlnet[port=3]" 52:54:00:00:08:02 10.0.8.2 10.0.8.3 10.0.8.1 recv
	uml b "ipn://$W/umlnet" 52:54:00:00:08:03 10.0.8.3 10.0.8.2 10.0.8.1 send
	# The host reaches both while they run: each waits for the host's
	# word (a connection to its port 5002) before it powers off.
	wait_for 300 grep -q UML-UP $W/a.out && wait_for 300 grep -q UML-UP $W/b.out &&
		pings - 10.0.8.2 && pings - 10.0.8.3
	result $? "UML: the host pings two UML VMs on an IPN switch"
	for ip in 10.0.8.2 10.0.8.3; do
		i=0
		until timeout 10 tcpxfer $ip 5002 </dev/null 2>/dev/null; do
			i=$((i + 1)); [ $i -ge 60 ] && break
			sleep 2
		done
	done
	wait $pid_a $pid_b
	for v in a b; do sed "s/^/# uml $v: /" $W/$v.out | grep -E 'UML-|vde|ipn' ; done
	grep -q UML-PING-HOST $W/a.out && grep -q UML-PING-HOST $W/b.out
	result $? "UML: both VMs ping the host through the IPN switch"
	grep -q UML-PING-PEER $W/b.out
	result $? "UML: one VM pings the other"
	# "2097152 <sha256> -": the size and checksum of what was sent, and of
	# what arrived.
	sent=$(sed -n 's/.*UML-SENT \([0-9]* [0-9a-f]*\).*/\1/p' $W/b.out)
	got=$(sed -n 's/.*UML-RECV \([0-9]* [0-9a-f]*\).*/\1/p' $W/a.out)
	[ "${sent%% *}" = 2097152 ] && [ "$sent" = "$got" ]
	result $? "UML: 2 MB over TCP between the VMs, SHA-256 checked"
	cleanup
}

# --- A nested QEMU VM ----------------------------------------------------

# Its only NIC is -nic vde,sock=ipn://...; its iPXE ROM asks for a lease
# from busybox udhcpd on an IPN tap, then tries to fetch a boot file from
# an address that never answers, which keeps it up and answering pings.
case_qemu() {
	tap - qtap0 $W/qnet 10.0.6.1
	cat >$W/udhcpd.conf <<EOF
start 10.0.6.50
end 10.0.6.60
interface qtap0
lease_file $W/udhcpd.leases
pidfile $W/udhcpd.pid
siaddr 10.0.6.77
boot_file pxelinux.0
opt subnet 255.255.255.0
opt lease 3600
EOF
	: >$W/udhcpd.leases
	bg busybox udhcpd -f $W/udhcpd.conf >$W/udhcpd.out 2>&1
	bg timeout 600 qemu-system-x86_64 -accel tcg -m 32 -display none -vga none \
		-monitor none -serial none -parallel none -boot n \
		-nic "vde,sock=ipn://$W/qnet,model=e1000,mac=52:54:00:00:06:02" \
		>$W/qemu.out 2>&1
	wait_for 400 grep -q 'sending ACK' $W/udhcpd.out
	lease=$?
	addr=$(sed -n 's/.*sending ACK to \([0-9.]*\).*/\1/p' $W/udhcpd.out | head -n 1)
	sed 's/^/# udhcpd: /' $W/udhcpd.out
	[ $lease = 0 ] && [ -n "$addr" ]
	result $? "QEMU: a VM whose only NIC is -nic vde,sock=ipn:// gets a DHCP lease ($addr)"
	[ -n "$addr" ] && pings - "$addr"
	result $? "QEMU: the VM answers ping through the IPN switch"
	cleanup
}

# An unprivileged user's VM joins a network it may read and write; one it
# may not gives QEMU a clear error.
case_qemu_user() {
	# Modes as given, not masked by the umask.
	bg sh -c "umask 0; exec ipncat -q -b -M 0666 -p 2 -r $W/open" </dev/null >/dev/null
	bg sh -c "umask 0; exec ipncat -q -b -M 0700 -p 2 -r $W/closed" </dev/null >/dev/null
	wait_for 10 test -S $W/open && wait_for 10 test -S $W/closed
	asuser="setpriv --reuid=65534 --regid=65534 --clear-groups"
	q="qemu-system-x86_64 -machine none -nodefaults -display none -monitor none"
	timeout 15 $asuser $q -netdev "vde,id=n0,sock=ipn://$W/open" >$W/qu1.out 2>&1
	rc=$?
	[ $rc = 124 ] || sed 's/^/# /' $W/qu1.out
	[ $rc = 124 ] && ! grep -qiE 'ipn:|vde|error' $W/qu1.out
	result $? "QEMU as an unprivileged user joins a network it may read and write"
	timeout 15 $asuser $q -netdev "vde,id=n0,sock=ipn://$W/closed" >$W/qu2.out 2>&1
	rc=$?
	sed 's/^/# /' $W/qu2.out
	[ $rc != 124 ] && [ $rc != 0 ] && grep -q 'ipn: .*permission denied' $W/qu2.out &&
		grep -qi 'vde' $W/qu2.out
	result $? "QEMU as an unprivileged user on a network it may not use: a clear error"
	cleanup
}

# --- Two hosts ------------------------------------------------------------

# Two "hosts" (namespaces joined by a veth carrying IP), each with its own
# IPN switch and an endpoint namespace on it; the switches are joined by
# the kernel's VXLAN device grabbed into each, and separately by a vde_plug
# udp:// cable.
case_two_hosts() {
	netns ha && netns hb && netns ea && netns eb
	ip link add ula type veth peer name ulb &&
		ip link set ula netns ha && ip link set ulb netns hb &&
		ip -n ha addr add 10.1.0.1/24 dev ula && ip -n hb addr add 10.1.0.2/24 dev ulb &&
		ip -n ha link set ula up && ip -n hb link set ulb up
	for h in a b; do
		if [ $h = a ]; then me=10.1.0.1 peer=10.1.0.2 n=1; else me=10.1.0.2 peer=10.1.0.1 n=2; fi
		# Switch sw$h: the kernel's VXLAN device, grabbed.
		ip -n h$h link add vx0 type vxlan id 42 local $me remote $peer dstport 4789 dev ul$h
		ip -n h$h link set vx0 up
		bg ip netns exec h$h ipncat -q -p 2 -G vx0 $W/sw$h >/dev/null
		# Switch u$h: created by vde_plug, cabled over UDP.
		bg ip netns exec h$h vde_plug "ipn://$W/u$h[create/policy=switch]" \
			"udp://$me:5000->$peer:5000"
		wait_for 10 test -S $W/sw$h && wait_for 10 test -S $W/u$h
		# The endpoint e$h on both; the tunnels take 50 bytes.
		tap e$h x$h $W/sw$h 10.2.0.$n && ip -n e$h link set x$h mtu 1400
		tap e$h u$h $W/u$h 10.3.0.$n && ip -n e$h link set u$h mtu 1400
	done
	pings ea 10.2.0.2 && pings eb 10.2.0.1
	result $? "two hosts: IPN switches joined by a grabbed VXLAN device carry traffic"
	pings ea 10.3.0.2 && pings eb 10.3.0.1
	result $? "two hosts: IPN switches joined by a vde_plug udp:// cable carry traffic"
	cleanup
}

# --- Spanning tree ----------------------------------------------------------

# stp_fast PATH [PRIO]: STP on the switch at PATH, with the shortest times
# (hello 1 s, max age 6 s, forward delay 2 s) and priority PRIO.
stp_fast() {
	ipnctl switch stp "$1" bridge --hello 1 --max-age 6 --forward-delay 2 \
		${2:+--priority "$2"} && ipnctl switch stp "$1" on
}

# rx_packets NS DEV: the frames DEV of namespace NS has received.
rx_packets() {
	ip -n "$1" -s link show "$2" | awk '/RX:/ { getline; print $2; exit }'
}

# quiet NS DEV: after one broadcast, DEV receives fewer than 20 frames in
# 3 s: nothing circulates (BPDUs come once a second).
quiet() {
	r1=$(rx_packets "$1" "$2")
	sleep 3
	r2=$(rx_packets "$1" "$2")
	echo "# $2 received $((r2 - r1)) frames in 3 s"
	[ $((r2 - r1)) -lt 20 ]
}

# cable_port PID NET: the port of network NET that process PID holds.
cable_port() {
	for ino in $(ls -l /proc/"$1"/fd 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\].*/\1/p'); do
		ipnctl port ls "$2" | sed -n "s/.*port \([0-9]*\): socket ino $ino .*/\1/p"
	done
}

stp_root_port() { # PATH
	ipnctl --json switch stp "$1" | sed -n 's/.*"root_port": \([0-9]*\).*/\1/p'
}

stp_blocks() { # PATH: a port of the switch blocks
	ipnctl switch stp "$1" | grep -q 'blocking alternate'
}

# stp_moved PATH PORT: the root port is not PORT any more, and every port
# forwards.
stp_moved() {
	[ "$(stp_root_port "$1")" != "$2" ] &&
		! ipnctl switch stp "$1" | grep -q 'blocking\|listening\|learning'
}

br_split() { # the bridge blocks one of lb0, lb1 and forwards through the other
	bridge link show | grep -q 'lb[01].*state blocking' &&
		bridge link show | grep -q 'lb[01].*state forwarding'
}

br_forwards() { # the bridge forwards through lb0 or lb1
	bridge link show | grep -q 'lb[01].*state forwarding'
}

# Two IPN switches cabled twice by vde_plug: a loop, which the spanning
# tree cuts; when the cable in use goes, the other one takes over.
case_stp_cables() {
	netns sa && netns sb
	tap sa s0 $W/stpa 10.0.9.1
	tap sb s1 $W/stpb 10.0.9.2
	stp_fast $W/stpa 4096 && stp_fast $W/stpb
	bg vde_plug "ipn://$W/stpa" "ipn://$W/stpb"
	c1=$!
	bg vde_plug "ipn://$W/stpa" "ipn://$W/stpb"
	c2=$!
	wait_for 30 stp_blocks $W/stpb &&
		[ -z "$(stp_root_port $W/stpa)" ] && [ -n "$(stp_root_port $W/stpb)" ]
	result $? "STP: of two IPN switches cabled twice by vde_plug, one is root and the other blocks a cable"
	ipnctl switch stp $W/stpb | sed 's/^/# /'
	pings sa 10.0.9.2 && pings sb 10.0.9.1
	result $? "STP: hosts on the looped switches reach each other"
	ip netns exec sa ping -q -c 1 -W 1 -b 10.0.9.255 >/dev/null 2>&1
	quiet sb s1
	result $? "STP: a broadcast does not circulate in the loop"
	rp=$(stp_root_port $W/stpb)
	for cab in $c1 $c2; do
		[ "$(cable_port $cab $W/stpb)" = "$rp" ] && kill $cab
	done
	wait_for 30 stp_moved $W/stpb "$rp" && pings sa 10.0.9.2
	result $? "STP: when the cable in use is cut, the other one carries the traffic"
	cleanup
}

# An IPN switch with two taps on a Linux bridge running STP: a loop through
# the bridge, which blocks one tap; the IPN switch is the root.
case_stp_bridge() {
	netns lc
	tap lc l0 $W/stpc 10.0.10.1
	stp_fast $W/stpc 4096
	# Its own address: a bridge takes its lowest port's otherwise, which
	# changes when that port goes, and the namespace's ARP entry with it.
	ip link add brstp address 02:00:00:00:10:02 type bridge stp_state 1 \
		forward_delay 200 hello_time 100 max_age 600
	for t in lb0 lb1; do
		bg ipncat -q -p 2 -T $t $W/stpc >/dev/null
		eval "pid_$t=\$!"
		wait_for 10 ip link show $t && ip link set $t master brstp && ip link set $t up
	done
	ip link set brstp up && ip addr add 10.0.10.2/24 dev brstp
	ours=$(ipnctl --json switch stp $W/stpc | sed -n 's/.*"bridge_id": "\(.*\)".*/\1/p')
	wait_for 30 br_split &&
		[ "$(cat /sys/class/net/brstp/bridge/root_id)" = "$ours" ]
	result $? "STP with a Linux bridge: the bridge takes the IPN switch as root and blocks one of its taps"
	bridge link show | grep lb | sed 's/^/# /'
	pings lc 10.0.10.2
	result $? "STP with a Linux bridge: a namespace on the IPN switch reaches the bridge"
	ip netns exec lc ping -q -c 1 -W 1 -b 10.0.10.255 >/dev/null 2>&1
	quiet lc l0
	result $? "STP with a Linux bridge: a broadcast does not circulate"
	fwd=$(bridge link show | sed -n 's/.*\(lb[01]\).*state forwarding.*/\1/p' | head -n 1)
	eval "kill \$pid_$fwd"
	wait_for 30 br_forwards && pings lc 10.0.10.2
	result $? "STP with a Linux bridge: when the tap in use goes, the bridge unblocks the other"
	ip link del brstp
	cleanup
}

# --- The demo -----------------------------------------------------------

demo() {
	echo "== Two User-Mode Linux VMs and the host on one IPN switch"
	uml_initrd
	echo "\$ ipncat -p 2 -T ipn0 /tmp/vm/demo &    # the host's tap: creates the switch"
	tap - ipn0 $W/demo 10.0.8.1
	echo "\$ ip addr add 10.0.8.1/24 dev ipn0"
	for v in 2 3; do
		peer=$((5 - v))
		echo "\$ linux.uml mem=48M initrd=uml.cpio.gz eth0=vde,ipn:///tmp/vm/demo,52:54:00:00:08:0$v ...   # VM 10.0.8.$v"
		uml vm$v "ipn://$W/demo" 52:54:00:00:08:0$v 10.0.8.$v 10.0.8.$peer 10.0.8.1 demo
	done
	wait_for 300 grep -q UML-UP $W/vm2.out && wait_for 300 grep -q UML-UP $W/vm3.out
	echo "\$ ping -c 2 10.0.8.2; ping -c 2 10.0.8.3    # from the host"
	ping -c 2 -W 5 10.0.8.2
	ping -c 2 -W 5 10.0.8.3
	wait $pid_vm2 $pid_vm3
	for v in 2 3; do
		echo "== VM 10.0.8.$v's console:"
		grep -vE '^\[|^$' $W/vm$v.out | grep -E 'PING|packets|bytes from|UML-' | sed 's/^/   /'
	done
	cleanup
}

case "${1:-test}" in
test)
	for c in errors create vde_switch ipn_cable vlan_gso stp_cables stp_bridge qemu_user two_hosts uml qemu; do
		t0=$(date +%s)
		case_$c
		echo "# case $c: $(($(date +%s) - t0)) s"
	done
	;;
demo) demo ;;
*) echo "usage: $0 test|demo" >&2; exit 2 ;;
esac
