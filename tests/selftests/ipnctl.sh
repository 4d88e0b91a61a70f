#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ipnctl (tools/rust/ipnctl) against the real module: what each command
# does is checked in the kernel's own state (interfaces, the switch's
# tables seen through its JSON, the filesystem), and its errors by exit
# code and message.  ipnctl and iproute2 run in the host's root, mounted
# by guest-init at /host.

. "$(dirname "$0")/ipn_lib.sh"

host() { chroot /host "$@"; }
ipnctl() { chroot /host /tmp/ipn/bin/ipnctl "$@"; }
# json_ok PYTHON-EXPR: whether the JSON on stdin, as d, makes it true.
json_ok() {
	chroot /host python3 -c "import json, sys
d = json.load(sys.stdin)
sys.exit(0 if ($1) else 1)"
}
result() { # status name
	if [ "$1" = 0 ]; then ktap_test_pass "$2"; else ktap_test_fail "$2"; fi
}

net=/tmp/ipnctl-sw
hub=/tmp/ipnctl-hub
rm -f "$net" "$hub"

ktap_print_header
ktap_set_plan 15

# Taps take the first free ports: ipnct0 port 0, the other port 1.
out=$(ipnctl net create "$net" --policy switch --mode 750 --tap ipnct0 --tap '')
# Refused: the network exists (exclusive creation), and nothing changes.
ipnctl net create "$net" --tap ipnct9 2>/dev/null && out=""
[ -d /sys/class/net/ipnct9 ] && out=""
tap2=$(echo "$out" | sed -n 2p)
ok=1
[ "$(echo "$out" | sed -n 1p)" = ipnct0 ] && [ -d /sys/class/net/ipnct0 ] &&
	[ -n "$tap2" ] && [ -d "/sys/class/net/$tap2" ] && [ -S "$net" ] && ok=0
result $ok "ipnctl: net create makes a switch with persistent taps"

# What exists, through socket diagnostics: the switch and its two taps;
# a hub held by ipnctl (a socket only bound) with a reader on port 0.
chroot /host /tmp/ipn/bin/ipnctl net create "$hub" --mtu 900 --numnodes 8 2>/dev/null &
holder=$!
wait_for 30 test -S "$hub"
ipncat -q -r -d reader "$hub" </dev/null >/dev/null &
reader=$!
has_reader() {
	ipnctl --json port ls "$hub" | json_ok '[p["description"] for p in d["ports"]] == ["reader", ""]'
}
ok=1
wait_for 30 has_reader &&
	ipnctl --json net ls | json_ok "
[n['path'] for n in d['networks'] if n['path'] in ('$net', '$hub')] == ['$net', '$hub'] and
[(n['policy_name'], n['mode'], n['ports_taken'], n['users'], n['sockets'],
  [(i['name'], i['port'], i['tap'], i['persistent']) for i in n['interfaces']])
 for n in d['networks'] if n['path'] == '$net'] ==
 [('switch', 0o750, 2, 2, [], [('ipnct0', 0, True, True), ('$tap2', 1, True, True)])] and
[(n['policy_name'], n['mtu'], n['numnodes'], n['ports_taken'], n['users'],
  [(s['port'], s['description']) for s in n['sockets']], n['interfaces'])
 for n in d['networks'] if n['path'] == '$hub'] ==
 [('hub', 900, 8, 1, 2, [(0, 'reader'), (None, '')], [])]" &&
	ipnctl net ls | grep -q "^$net: switch mtu 1514 ports 2/32 " &&
	ipnctl net show "$net" | grep -q "^    port 1: tap persistent $tap2 ifindex" &&
	ipnctl port ls | grep -q "^$hub port 0: socket ino [0-9]* uid 0 \"reader\"" &&
	ipnctl --json net ls --policy switch | json_ok "'$hub' not in [n['path'] for n in d['networks']]" &&
	ipnctl --json net show "$hub" | json_ok "d['path'] == '$hub' and len(d['sockets']) == 2" && ok=0
result $ok "ipnctl: net ls, net show and port ls show every network, socket and interface"

# Another network namespace sees none of them; its own socket on the hub
# shows the hub, with that socket only.
ok=1
unshare -n sh -c "ipncat -q -r -d inside $hub </dev/null >/dev/null & p=\$!
	i=0
	while [ \$i -lt 300 ]; do
		chroot /host /tmp/ipn/bin/ipnctl --json net ls >/tmp/ipnctl-ns.json &&
			grep -q inside /tmp/ipnctl-ns.json && break
		i=\$((i + 1))
		sleep 0.1
	done
	kill \$p" &&
	unshare -n chroot /host /tmp/ipn/bin/ipnctl --json net ls | json_ok "d == {'networks': []}" &&
	json_ok "
[(n['path'], [s['description'] for s in n['sockets']], n['interfaces']) for n in d['networks']] ==
 [('$hub', ['inside'], [])]" </tmp/ipnctl-ns.json && ok=0
result $ok "ipnctl: net ls shows what is in its network namespace"
kill "$reader" "$holder"
wait "$reader" "$holder"
rm -f /tmp/ipnctl-ns.json "$hub"

ok=1
ipnctl switch vlan "$net" 0 10 &&
	ipnctl --json switch vlan "$net" 0 | json_ok 'd == {"port": 0, "pvid": 10}' &&
	[ "$(ipnctl switch vlan "$net" 1)" = "port 1 pvid 1" ] && ok=0
result $ok "ipnctl: switch vlan sets and shows a port's pvid"

ok=1
ipnctl switch trunk "$net" 1 add 30 && ipnctl switch trunk "$net" 1 add 20 &&
	ipnctl switch trunk "$net" 1 del 30 &&
	ipnctl --json switch trunk "$net" 1 | json_ok 'd["trunks"] == [20]' &&
	[ "$(ipnctl switch trunk "$net" 1)" = "port 1 trunks 20" ] && ok=0
result $ok "ipnctl: switch trunk adds, removes and shows tagged VLANs"

ok=1
ipnctl switch aging "$net" 60 && ipnctl switch maxentries "$net" 128 &&
	ipnctl --json switch aging "$net" | json_ok 'd == {"aging_s": 60}' &&
	ipnctl --json switch maxentries "$net" | json_ok 'd == {"maxentries": 128}' && ok=0
result $ok "ipnctl: switch aging and maxentries"

# The tap's own frames (IPv6 neighbour discovery, MLD) once it is up:
# learnt on port 0, in its pvid 10.
mac=$(cat /sys/class/net/ipnct0/address)
host ip link set ipnct0 up
learnt() {
	ipnctl --json switch fdb "$net" |
		json_ok "any(e == {'mac': '$mac', 'vlan': 10, 'port': 0, 'age_ms': e['age_ms']} for e in d['fdb'])"
}
ok=1
wait_for 30 learnt && ok=0
result $ok "ipnctl: switch fdb shows the address learnt from a tap"

ok=1
ipnctl --json switch stats "$net" |
	json_ok 'sorted(p["port"] for p in d["ports"]) == [0, 1] and [p for p in d["ports"] if p["port"] == 0][0]["rx_frames"] >= 1 and [p for p in d["ports"] if p["port"] == 0][0]["pvid"] == 10' &&
	ipnctl switch stats "$net" | grep -q '^port 1: pvid 1 trunks 1$' && ok=0
result $ok "ipnctl: switch stats shows every port's counters"

# The spanning tree: settings in the kernel, the tree in JSON and text,
# and the ports' state in the counters.
ok=1
ipnctl switch stp "$net" bridge --priority 4096 --hello 1 --max-age 6 --forward-delay 2 &&
	ipnctl switch stp "$net" port 1 --cost 19 &&
	ipnctl switch stp "$net" on &&
	ipnctl --json switch stp "$net" |
	json_ok 'd["enabled"] and d["bridge_id"] == d["root_id"] and d["bridge_id"].startswith("1000.") and d["root_port"] is None and d["hello_time"] == 1 and d["forward_delay"] == 2 and [p["path_cost"] for p in d["ports"] if p["port"] == 1] == [19] and all(p["role"] == "designated" for p in d["ports"])' &&
	ipnctl switch stp "$net" | grep -q '^stp on  bridge 1000\.' &&
	ipnctl --json switch stats "$net" | json_ok 'all(p["stp_role"] == "designated" for p in d["ports"])' &&
	ipnctl switch stp "$net" off &&
	ipnctl --json switch stp "$net" | json_ok 'not d["enabled"]' && ok=0
result $ok "ipnctl: switch stp sets the spanning tree and shows it"

host ip link set ipnct0 down
ok=1
ipnctl switch fdb "$net" --flush && ipnctl --json switch fdb "$net" | json_ok 'd == {"fdb": []}' && ok=0
result $ok "ipnctl: switch fdb --flush empties the address table"

ok=1
host ip link add ipnctv0 type veth peer name ipnctv1 &&
	ipnctl grab "$net" ipnctv0 &&
	ipnctl --json switch stats "$net" | json_ok 'len(d["ports"]) == 3' &&
	ipnctl release ipnctv0 &&
	ipnctl --json switch stats "$net" | json_ok 'len(d["ports"]) == 2' && ok=0
host ip link del ipnctv0 2>/dev/null
result $ok "ipnctl: grab and release an interface"

# Errors: a message naming what failed, exit 1; a usage error, exit 2.
ok=0
msg=$(ipnctl switch vlan /tmp/ipnctl-none 0 2>&1) && ok=1
echo "$msg" | grep -q '^ipnctl: /tmp/ipnctl-none: No such file or directory' || ok=1
msg=$(ipnctl switch vlan "$net" 5000 1 2>&1) && ok=1
echo "$msg" | grep -q '^ipnctl: vlan: Invalid argument' || ok=1
msg=$(ipnctl net rm "$net" 2>&1) && ok=1
echo "$msg" | grep -q 'in use' || ok=1
ipnctl switch vlan "$net" 2>/dev/null
[ $? = 2 ] || ok=1
[ -S "$net" ] || ok=1
result $ok "ipnctl: errors give a message and exit code, and change nothing"

ok=1
ipnctl tap del ipnct0 && ipnctl tap del "$tap2" &&
	[ ! -d /sys/class/net/ipnct0 ] && [ ! -d "/sys/class/net/$tap2" ] &&
	ipnctl net rm "$net" && [ ! -e "$net" ] && ok=0
result $ok "ipnctl: tap del deletes taps, net rm the unused network's node"

# Not the function: $! must be ipnctl's own pid (chroot execs it).
ok=1
chroot /host /tmp/ipn/bin/ipnctl net create "$hub" 2>/dev/null &
pid=$!
if wait_for 30 test -S "$hub" && ! ipnctl net rm "$hub" 2>/dev/null; then
	kill -TERM "$pid"
	wait "$pid"
	# Stopped, it takes its network away with the node.
	[ $? = 0 ] && [ ! -e "$hub" ] && ok=0
fi
kill "$pid" 2>/dev/null
result $ok "ipnctl: net create with no interface holds the network until stopped"

ok=1
ipnctl completions bash | grep -q 'ipnctl' && ok=0
result $ok "ipnctl: completions"

rm -f "$net" "$hub"
ktap_finished
