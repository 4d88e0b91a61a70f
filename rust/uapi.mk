# SPDX-License-Identifier: GPL-2.0
#
# The user ABI for a module's Rust code, generated from its one source,
# include/uapi/linux/ipn.h, by the kernel's bindgen (as rust/uapi is for
# the kernel's own headers): $(obj)/uapi_generated.rs, which the module's
# uapi module include!s.  Include this from the module's Kbuild.

ipn_uapi_flags := --use-core --no-layout-tests --no-doc-comments \
	--ctypes-prefix kernel::ffi --default-macro-constant-type signed \
	--allowlist-var 'IPN_.*|SOL_IPN|AF_IPN|RUST_CONST_HELPER_.*' \
	--allowlist-type 'ipn_switch_.*'

quiet_cmd_ipn_uapi = BINDGEN $@
      cmd_ipn_uapi = $(BINDGEN) $< $(ipn_uapi_flags) -o $@ -- -nostdinc \
	-D__EXPORTED_HEADERS__ -I$(src)/../include/uapi \
	-I$(srctree)/include/uapi -I$(srctree)/arch/$(SRCARCH)/include/uapi \
	-I$(objtree)/arch/$(SRCARCH)/include/generated/uapi \
	-I$(objtree)/include/generated/uapi && \
	sed -Ei 's/pub const RUST_CONST_HELPER_([a-zA-Z0-9_]*)/pub const \1/g' $@

$(obj)/uapi_generated.rs: $(src)/../rust/uapi_helper.h \
		$(src)/../include/uapi/linux/ipn.h FORCE
	$(call if_changed,ipn_uapi)

targets += uapi_generated.rs
clean-files += uapi_generated.rs
