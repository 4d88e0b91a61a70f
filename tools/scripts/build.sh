#!/usr/bin/env bash
# Build the modules against the cached kernel and the guest programs.
# Usage: build.sh  (prints nothing on success but the kernel directory)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdir=$("$IPN_TOP/tools/scripts/kernel.sh")
mapfile -t kv < <(kmake_vars)
log "building modules"
make -s -C "$kdir" M="$IPN_TOP" "${kv[@]}" modules >&2

out="$IPN_TOP/build/bin"
mkdir -p "$out"
cflags=(-std=gnu11 -O2 -Wall -Wextra -Werror -static -I"$IPN_TOP/include/uapi" -I"$IPN_TOP/tools/include")
for prog in tests/tcpxfer tests/vnetcable tests/fuzz/ipn_fuzz tools/ipncat/ipncat; do
	src="$IPN_TOP/$prog.c"
	[ -f "$src" ] || continue
	bin="$out/$(basename "$prog")"
	if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ] || [ "$IPN_TOP/include/uapi/linux/ipn.h" -nt "$bin" ] ||
		[ "$IPN_TOP/tools/include/ipn_family.h" -nt "$bin" ]; then
		log "compiling $prog"
		gcc "${cflags[@]}" -o "$bin" "$src" -lpthread
	fi
done

# The selftests (tests/selftests/): a program per area on the pinned
# kernel's own tools/testing/selftests/kselftest_harness.h, and again as
# 32-bit programs the areas of guest-init's compat list: IPN's ioctls and
# options as 32-bit processes (QEMU or VDE built for i386) reach them,
# through compat_ioctl.  The suite of one program they replace goes.
rm -f "$out/ipn_test" "$out/ipn_test32"
make -s -C "$IPN_TOP/tests/selftests" KSFT_DIR="$kdir/tools/testing/selftests" \
	OUT="$out" >&2

# The vdeplug4 plug-in (libvdeplug-dev is installed by setup.sh).
plugin="$out/../vdeplug/libvdeplug_ipn.so"
src="$IPN_TOP/tools/vdeplug/libvdeplug_ipn.c"
if [ ! -f "$plugin" ] || [ "$src" -nt "$plugin" ] || [ "$IPN_TOP/include/uapi/linux/ipn.h" -nt "$plugin" ] ||
	[ "$IPN_TOP/tools/include/ipn_family.h" -nt "$plugin" ]; then
	log "compiling tools/vdeplug/libvdeplug_ipn.so"
	mkdir -p "$(dirname "$plugin")"
	gcc -std=gnu11 -O2 -Wall -Wextra -Werror -fPIC -shared -I"$IPN_TOP/include/uapi" -I"$IPN_TOP/tools/include" \
		-o "$plugin" "$src" -lvdeplug_mod
fi
# tools/bench's program, run in the host's root in the guest: it links
# Debian's libvdeplug to compare with vde_switch.
bench="$out/../host/ipnbench"
src="$IPN_TOP/tools/bench/ipnbench.c"
if [ ! -x "$bench" ] || [ "$src" -nt "$bench" ] || [ "$IPN_TOP/include/uapi/linux/ipn.h" -nt "$bench" ] ||
	[ "$IPN_TOP/tools/include/ipn_family.h" -nt "$bench" ]; then
	log "compiling tools/bench/ipnbench"
	mkdir -p "$(dirname "$bench")"
	gcc -std=gnu11 -O2 -Wall -Wextra -Werror -I"$IPN_TOP/include/uapi" -I"$IPN_TOP/tools/include" \
		-o "$bench" "$src" -lvdeplug
fi
# The Rust crate and ipnctl (tools/rust/), with the crate's tests against
# the module, which the guest runs from the host's root: they are linked
# against the host's libc.  Crates come from crates.io, as Cargo.lock pins
# them.
rust="$IPN_TOP/build/rust"
mkdir -p "$rust"
log "building tools/rust (the ipn crate, ipnctl)"
cd "$IPN_TOP/tools/rust"
ipn_cargo build --locked --quiet --workspace --all-features
tests=$(ipn_cargo test --locked --quiet --no-run --all-features -p ipn --test kernel \
	--message-format=json | grep -o '"executable":"[^"]*/kernel-[^"]*"' | cut -d'"' -f4)
cp target/debug/ipnctl "$rust/ipnctl"
cp "$tests" "$rust/ipn-crate-tests"
echo "$kdir"
