# SPDX-License-Identifier: GPL-2.0
# Developer targets.  Users start with ./run (see README.md).

SHELL := /bin/bash

.PHONY: all setup kernel modules test demo shell rustfmt rustfmtcheck clippy checkpatch clean

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

shell:
	./run shell

KDIR = $(shell ./tools/scripts/kernel.sh 2>/dev/null)
KVARS = $(shell . tools/scripts/lib.sh && kmake_vars)

# Kbuild's rustfmt targets do not take M=: run rustfmt with the tree's
# configuration. rustfmt-web and rust-web-clippy match the kernel's rustc.
RUSTFMT = /usr/bin/rustfmt --config-path $(KDIR)/.rustfmt.toml

rustfmt:
	$(RUSTFMT) ipn/*.rs kvde_switch/*.rs

rustfmtcheck:
	$(RUSTFMT) --check ipn/*.rs kvde_switch/*.rs

clippy:
	touch ipn/ipn_main.rs kvde_switch/kvde_switch.rs
	PATH=/usr/bin:$$PATH $(MAKE) -C $(KDIR) M=$(CURDIR) $(KVARS) CLIPPY=1 modules 2>&1 | \
		tee build/clippy.log; ! grep -qE '^(warning|error)' build/clippy.log

# FILE_PATH_CHANGES asks whether MAINTAINERS needs updating for every new
# file; rust/helpers/net/ is already listed under NETWORKING [GENERAL].
# On standard input: checkpatch.pl reviews a file that git tracks as a
# source file rather than as a patch.
checkpatch:
	@set -e; for p in patches/*.patch; do echo "$$p"; \
		$(KDIR)/scripts/checkpatch.pl --no-tree --ignore FILE_PATH_CHANGES - <"$$p"; \
	done

clean:
	rm -rf build
	-$(MAKE) -C $(KDIR) M=$(CURDIR) $(KVARS) clean
