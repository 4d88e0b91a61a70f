# shellcheck shell=bash
# Common settings for the IPN build and test scripts.  Sourced, not run.

IPN_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
IPN_CACHE=${IPN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ipn}
IPN_FLAVOUR=${IPN_FLAVOUR:-debug}

# The pinned kernel source: Debian's linux-source-7.3 from trixie-backports.
KSRC_PKG=linux-source-7.3
KSRC_VERSION=7.3.4-1~bpo13+1
KSRC_DEB=${KSRC_PKG}_${KSRC_VERSION}_all.deb
KSRC_SHA256=703e369ddd4cce971452f5a593ee55df3a5c10c83caf0fa0df039633ed181ee3
KSRC_SUITE=trixie-backports

BINDGEN_VERSION=0.72.1
LLVM_VERSION=19

export LIBCLANG_PATH=/usr/lib/llvm-$LLVM_VERSION/lib

log() { printf '[ipn] %s\n' "$*" >&2; }
die() { printf '[ipn] error: %s\n' "$*" >&2; exit 1; }

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# The Rust standard library source shipped by rust-web-src.  Its directory
# carries the compiler version, which bookworm-security moves forward.
rust_lib_src() {
	local d
	d=$(ls -d /usr/src/rustc-*/library 2>/dev/null | sort -V | tail -n 1)
	[ -n "$d" ] || die "no /usr/src/rustc-*/library: is rust-web-src installed? (run: make setup)"
	printf '%s\n' "$d"
}

# Debian's cargo (cargo-web), which setup.sh installs, rather than a
# rustup toolchain on PATH: the same compiler on every machine.
ipn_cargo() {
	local cargo=/usr/bin/cargo
	[ -x "$cargo" ] || cargo=$(command -v cargo) || die "no cargo found (run: make setup)"
	# Its rustdoc, clippy and rustfmt too: /usr/bin first on PATH.
	PATH=/usr/bin:$PATH RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc "$cargo" "$@"
}

# Variables every kernel and module make call needs, so that Kconfig and
# Kbuild use Debian's rustc-web rather than a rustup toolchain on PATH.
# The debug flavour is built with clang (a KASAN kernel with Rust needs
# it); the plain one with gcc, as distributions build theirs (16 minutes
# instead of 22 on 2 cores).
kmake_vars() {
	printf '%s\n' "RUSTC=/usr/bin/rustc" "RUST_LIB_SRC=$(rust_lib_src)" \
		"BINDGEN=$IPN_CACHE/bindgen/bin/bindgen"
	[ "$IPN_FLAVOUR" = debug ] && echo "LLVM=-$LLVM_VERSION"
	return 0
}

# The patches a flavour's kernel gets.  The debug kernel has all of
# patches/ (AF_IPN as family 46, the socket bindings); the plain one is the
# pinned source as it comes, a stock Rust-enabled kernel, on which ipn.ko
# brings its own bindings and borrows a family slot (family= parameter).
kernel_patches() {
	[ "$IPN_FLAVOUR" = debug ] && printf '%s\n' "$IPN_TOP"/patches/*.patch
	return 0
}

# The key of a kernel build: source, patches, config fragments, flavour and
# the compilers.  Anything that changes the built kernel must be in here.
kernel_key() {
	{
		echo "$KSRC_SHA256 $IPN_FLAVOUR"
		kernel_patches | while IFS= read -r p; do cat "$p"; done
		cat "$IPN_TOP"/tools/kernel/base.config
		[ "$IPN_FLAVOUR" = debug ] && cat "$IPN_TOP"/tools/kernel/debug.config
		cat "$IPN_TOP"/tools/scripts/kernel.sh
		/usr/bin/rustc --version 2>/dev/null
		if [ "$IPN_FLAVOUR" = debug ]; then
			clang-$LLVM_VERSION --version 2>/dev/null | head -n 1
		else
			gcc --version | head -n 1
		fi
	} | sha256sum | cut -c1-16
}

kernel_dir() { echo "$IPN_CACHE/kernel/$IPN_FLAVOUR-$(kernel_key)"; }
