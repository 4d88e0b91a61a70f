#!/usr/bin/env bash
# Assemble the guest's initramfs: busybox, the modules, the guest programs
# and tests/guest-init as /init.  Usage: initramfs.sh OUTPUT.cpio.gz
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$1
root=$(mktemp -d)
chmod 0755 "$root"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,etc,root,modules,usr/bin,usr/sbin}
cp /bin/busybox "$root/bin/busybox"
for m in "$IPN_TOP"/ipn/ipn.ko "$IPN_TOP"/kvde_switch/kvde_switch.ko "$IPN_TOP"/tests/kmod/ipn_dummy_policy.ko; do
	[ -f "$m" ] && cp "$m" "$root/modules/"
done
for b in "$IPN_TOP"/build/bin/*; do
	[ -x "$b" ] && cp "$b" "$root/bin/"
done
# What the VM tests use from inside the host's root filesystem (guest-init
# copies it to /tmp/ipn there): the programs, the plug-in, the test script.
mkdir -p "$root/ipn/bin" "$root/ipn/vdeplug"
cp "$IPN_TOP"/build/bin/* "$root/ipn/bin/"
cp "$IPN_TOP/build/vdeplug/libvdeplug_ipn.so" "$root/ipn/vdeplug/"
# ipnctl and the ipn crate's tests against the module (tools/rust), which
# link the host's libc: they run there too.
for b in "$IPN_TOP"/build/rust/*; do
	strip -o "$root/ipn/bin/$(basename "$b")" "$b"
done
cp "$IPN_TOP/tests/vm-tests.sh" "$root/ipn/bin/ipn-vm-tests"
cp "$IPN_TOP/tests/host-lib.sh" "$root/ipn/bin/ipn-host-lib.sh"
# tools/bench: its driver, and its program (linked against Debian's
# libvdeplug, so it too runs in the host's root).
cp "$IPN_TOP/tools/bench/bench.sh" "$root/ipn/bin/ipn-bench"
cp "$IPN_TOP/build/host/ipnbench" "$root/ipn/bin/"
chmod +x "$root/ipn/bin/ipn-vm-tests"
cp "$IPN_TOP/tests/guest-init" "$root/init"
# The shell tests, on the pinned kernel's own KTAP helpers.
mkdir -p "$root/selftests"
cp "$IPN_TOP"/tests/selftests/*.sh "$root/selftests/"
cp "$(kernel_dir)/tools/testing/selftests/kselftest/ktap_helpers.sh" "$root/selftests/"
cp "$IPN_TOP/tests/demo.sh" "$root/bin/ipn-demo"
chmod +x "$root/init" "$root/bin/ipn-demo"
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
echo 'nogroup:x:65534:' >>"$root/etc/group"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
