#!/usr/bin/env bash
# Build the test kernel (pinned source + the flavour's patches, see
# kernel_patches + tools/kernel/*.config)
# into the cache, unless a build with the same key is already there.
# Prints the build directory on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir=$(kernel_dir)
if [ -f "$dir/.ipn-built" ]; then
	echo "$dir"
	exit 0
fi

deb="$IPN_CACHE/deb/$KSRC_DEB"
[ -f "$deb" ] || die "$deb missing: run tools/scripts/setup.sh first"

log "building the $IPN_FLAVOUR kernel in $dir (a few minutes; cached afterwards)"
tmp="$dir.tmp"
rm -rf "$tmp"
mkdir -p "$tmp"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" ./usr/src/$KSRC_PKG.tar.xz
tar -xJf "$tmp/usr/src/$KSRC_PKG.tar.xz" -C "$tmp"
rm -rf "$tmp/usr"
mv "$tmp/$KSRC_PKG" "$tmp/linux"

cd "$tmp/linux"
kernel_patches | while IFS= read -r p; do
	patch -p1 -s --no-backup-if-mismatch <"$p" || die "patch $(basename "$p") does not apply"
done

mapfile -t kv < <(kmake_vars)
frags=("$IPN_TOP/tools/kernel/base.config")
[ "$IPN_FLAVOUR" = debug ] && frags+=("$IPN_TOP/tools/kernel/debug.config")
make -s "${kv[@]}" tinyconfig
scripts/kconfig/merge_config.sh -m .config kernel/configs/kvm_guest.config "${frags[@]}" >/dev/null
make -s "${kv[@]}" olddefconfig
# Every option the fragments ask for must have survived olddefconfig: a
# silently dropped dependency would otherwise test a different kernel.
for f in "${frags[@]}"; do
	grep -E '^CONFIG_[A-Z0-9_]+=' "$f" | while IFS= read -r line; do
		opt=${line%%=*}
		val=${line#*=}
		if [ "$val" = n ]; then
			grep -q "^$opt=" .config && die "$opt should be off"
		else
			grep -qx "$line" .config || die "$line did not survive olddefconfig (got: $(grep "^$opt=" .config || echo unset))"
		fi
	done
done
make "${kv[@]}" -j"$(($(nproc) + 1))" >"$tmp/build.log" 2>&1 ||
	{ tail -n 40 "$tmp/build.log" >&2; die "kernel build failed (log: $tmp/build.log)"; }
mv "$tmp/build.log" .
cd /
# Keep one build per flavour: each is a few GB.
for old in "$IPN_CACHE/kernel/$IPN_FLAVOUR"-*; do
	[ "$old" = "$tmp" ] || [ "$old" = "$dir" ] || rm -rf "$old"
done
rm -rf "$dir"
mv "$tmp/linux" "$dir"
rmdir "$tmp"
touch "$dir/.ipn-built"
log "kernel ready: $dir"
echo "$dir"
