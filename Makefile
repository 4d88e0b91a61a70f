# SPDX-License-Identifier: GPL-2.0
# Developer targets.  Users start with ./run (see README.md).

SHELL := /bin/bash

.PHONY: all setup kernel kernel-built modules test demo vm shell fuzz stress install install-vdeplug ipnctl man rustfmt rustfmtcheck clippy checkpatch clean

all: modules

setup:
	./tools/scripts/setup.sh

kernel: setup
	./tools/scripts/kernel.sh

modules: setup
	./tools/scripts/build.sh >/dev/null

test:
	./run test

demo:
	./run demo

vm:
	./run vm

shell:
	./run shell

# ipnctl (release build, Debian's cargo), the man pages ipn(7), made from
# Documentation/ipn.rst, and ipnctl(8), the uapi header and ipnctl's bash
# completion: make install [PREFIX=/usr/local] [DESTDIR=].
PREFIX ?= /usr/local
ipnctl:
	. tools/scripts/lib.sh && cd tools/rust && ipn_cargo build --release --locked -p ipnctl

man:
	./tools/scripts/man.sh

install: ipnctl man
	install -D -m 0755 tools/rust/target/release/ipnctl $(DESTDIR)$(PREFIX)/bin/ipnctl
	install -D -m 0644 build/man/ipn.7 $(DESTDIR)$(PREFIX)/share/man/man7/ipn.7
	install -D -m 0644 build/man/ipnctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/ipnctl.8
	install -D -m 0644 include/uapi/linux/ipn.h $(DESTDIR)$(PREFIX)/include/linux/ipn.h
	install -D -m 0644 include/uapi/linux/ipn_diag.h $(DESTDIR)$(PREFIX)/include/linux/ipn_diag.h
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	tools/rust/target/release/ipnctl completions bash \
		>$(DESTDIR)$(PREFIX)/share/bash-completion/completions/ipnctl

# The vdeplug4 plug-in goes where libvdeplug looks for plug-ins: the
# vdeplug/ folder beside the libvdeplug.so.2 that the dynamic linker finds
# (on Debian, /usr/lib/<multiarch>/vdeplug).  Its man page goes to man1.
install-vdeplug:
	@test -f build/vdeplug/libvdeplug_ipn.so || { echo "run 'make modules' (or ./run setup) first" >&2; exit 1; }
	@lib=$$(/sbin/ldconfig -p | awk '/libvdeplug\.so\.2 /{print $$NF; exit}'); \
	test -n "$$lib" || { echo "libvdeplug.so.2 not found: apt-get install libvdeplug2" >&2; exit 1; }; \
	dir=$(DESTDIR)$$(dirname "$$(readlink -f "$$lib")")/vdeplug; \
	install -d "$$dir" $(DESTDIR)$(PREFIX)/share/man/man1 && \
	install -m 0644 build/vdeplug/libvdeplug_ipn.so "$$dir/" && \
	install -m 0644 tools/vdeplug/libvdeplug_ipn.1 $(DESTDIR)$(PREFIX)/share/man/man1/ && \
	echo "installed $$dir/libvdeplug_ipn.so"

# Where the kernel is built.  Naming it builds nothing: targets that need
# the build depend on kernel-built, which says to run `make kernel` first.
KDIR = $(shell . tools/scripts/lib.sh && kernel_dir)
KVARS = $(shell . tools/scripts/lib.sh && kmake_vars)

kernel-built:
	@test -f $(KDIR)/.ipn-built || \
		{ echo "no kernel in $(KDIR): run 'make kernel' first" >&2; exit 1; }

# Kbuild's rustfmt targets do not take M=: run rustfmt with the tree's
# configuration. rustfmt-web and rust-web-clippy match the kernel's rustc.
RUSTFMT = /usr/bin/rustfmt --config-path $(KDIR)/.rustfmt.toml
# Our sources, not what bindgen generates at build time.
RUST_SRCS = $(filter-out %_generated.rs,$(wildcard ipn/*.rs kvde_switch/*.rs rust/*.rs rust/*/*.rs))

rustfmt: kernel-built
	$(RUSTFMT) $(RUST_SRCS)

rustfmtcheck: kernel-built
	$(RUSTFMT) --check $(RUST_SRCS)

clippy: kernel-built
	touch ipn/ipn_main.rs kvde_switch/kvde_switch.rs
	set -o pipefail; PATH=/usr/bin:$$PATH $(MAKE) -C $(KDIR) M=$(CURDIR) $(KVARS) CLIPPY=1 modules 2>&1 | \
		tee build/clippy.log; ! grep -qE '^(warning|error)' build/clippy.log

# FILE_PATH_CHANGES asks whether MAINTAINERS needs updating for every new
# file a patch adds.
# On standard input: checkpatch.pl reviews a file that git tracks as a
# source file rather than as a patch.
checkpatch: kernel-built
	@set -e; for p in patches/*.patch; do echo "$$p"; \
		$(KDIR)/scripts/checkpatch.pl --no-tree --ignore FILE_PATH_CHANGES - <"$$p"; \
	done

clean:
	rm -rf build
	if test -f $(KDIR)/.ipn-built; then \
		$(MAKE) -C $(KDIR) M=$(CURDIR) $(KVARS) clean; fi

# The syscall fuzzer in the debug guest, with fault injection, for longer
# than CI's budget: make fuzz OPS=1000000 SEED=1.  Any console report fails.
OPS ?= 1000000
SEED ?=
FAIL ?=
fuzz:
	IPN_TEST_FILTER=fuzz IPN_FUZZ_OPS=$(OPS) IPN_FUZZ_SEED=$(SEED) IPN_FUZZ_FAIL=$(FAIL) IPN_TEST_TIMEOUT=$${IPN_TEST_TIMEOUT:-86400} ./run test

# The stress tests with more messages than CI's 5000: make stress MSGS=N.
MSGS ?= 100000
stress:
	IPN_TEST_FILTER=stress IPN_STRESS_MSGS=$(MSGS) IPN_TEST_TIMEOUT=$${IPN_TEST_TIMEOUT:-86400} ./run test
