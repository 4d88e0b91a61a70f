#!/usr/bin/env bash
# Install everything the IPN build needs on Debian 12 (bookworm).
# Idempotent: a second run only checks.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PKGS=(rustc-web rust-web-src cargo-web rustfmt-web rust-web-clippy
	clang-$LLVM_VERSION libclang-$LLVM_VERSION-dev llvm-$LLVM_VERSION lld-$LLVM_VERSION
	build-essential make bc bison flex libelf-dev libssl-dev cpio python3
	xz-utils kmod rsync busybox-static qemu-system-x86 ca-certificates
	debian-archive-keyring
	# The vdeplug4 plug-in, and the real programs the VM tests run in the
	# guest (from the host's root filesystem): UML, vde_plug, vde_switch.
	libvdeplug-dev vdeplug vde2 user-mode-linux iproute2 iputils-ping util-linux
	# The benchmarks' peers (tools/bench): iperf3 between namespaces.
	iperf3
	# The suite is also built as a 32-bit program, for compat_ioctl.
	gcc-multilib
	# ipn(7) is made from Documentation/ipn.rst (make install).
	python3-docutils)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing Debian packages: ${missing[*]}"
	as_root apt-get update -q
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

mkdir -p "$IPN_CACHE"

# bindgen for the kernel's Rust bindings.  Built with Debian's cargo so
# that it also works on a machine without rustup.
bg="$IPN_CACHE/bindgen/bin/bindgen"
if ! "$bg" --version 2>/dev/null | grep -q "bindgen $BINDGEN_VERSION"; then
	log "building bindgen-cli $BINDGEN_VERSION from crates.io"
	ipn_cargo install --locked --quiet --force --root "$IPN_CACHE/bindgen" \
		"bindgen-cli@$BINDGEN_VERSION"
fi

# The kernel source package, checked against its pinned hash.
deb="$IPN_CACHE/deb/$KSRC_DEB"
if [ ! -f "$deb" ] || ! echo "$KSRC_SHA256  $deb" | sha256sum -c --status; then
	mkdir -p "$IPN_CACHE/deb"
	rm -f "$deb"
	shared="$IPN_TOP/../shared/kernel/$KSRC_DEB"
	if [ -f "$shared" ]; then
		log "using the kernel source package from $shared"
		cp "$shared" "$deb"
	else
		# Download-only, against a throwaway apt state: trixie must never
		# enter the sources that this bookworm system resolves against.
		log "downloading $KSRC_PKG $KSRC_VERSION from Debian $KSRC_SUITE"
		t=$(mktemp -d)
		trap 'rm -rf "$t"' EXIT
		mkdir -p "$t/lists/partial" "$t/cache/archives/partial"
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $KSRC_SUITE main" >"$t/sources.list"
		aopts=(-o Dir::Etc::sourcelist="$t/sources.list" -o Dir::Etc::sourceparts=-
			-o Dir::State::lists="$t/lists" -o Dir::Cache="$t/cache"
			-o APT::Sandbox::User=root)
		apt-get "${aopts[@]}" -q update >/dev/null
		have=$(apt-cache "${aopts[@]}" madison "$KSRC_PKG" | awk '{print $3}' | tr '\n' ' ')
		if ! (cd "$t" && apt-get "${aopts[@]}" -q download "$KSRC_PKG=$KSRC_VERSION" >/dev/null 2>&1); then
			die "Debian $KSRC_SUITE no longer has $KSRC_PKG $KSRC_VERSION (it has: ${have:-nothing}). Put $KSRC_DEB into $IPN_CACHE/deb/ or ../shared/kernel/, or update KSRC_VERSION and KSRC_SHA256 in tools/scripts/lib.sh."
		fi
		mv "$t/$KSRC_DEB" "$deb"
	fi
	echo "$KSRC_SHA256  $deb" | sha256sum -c --status || die "$deb: SHA-256 mismatch"
fi
log "setup complete (cache: $IPN_CACHE)"
