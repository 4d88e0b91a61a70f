# SPDX-License-Identifier: GPL-2.0
#
# Bindings of the kernel's socket API that the abstraction layer (rust/net/)
# needs and that a stock kernel's `kernel::bindings` lacks: struct sock (only
# a forward declaration there), struct proto, and the functions that take
# them.  Generated, as the kernel generates rust/bindings, from the kernel's
# own headers with the flags this module's C files get, into
# $(obj)/net_bindings_generated.rs, which the module's root names
# `net_bindings` (ipn/ipn_main.rs).  That way ipn.ko needs no kernel patch for its bindings.
#
# Everything else resolves to the kernel crate's types: the file re-exports
# `kernel::bindings::*`, and bindgen generates only the allowlisted items
# (--no-recursive-allowlist), so struct socket, sk_buff or net_device keep
# one Rust definition.  A kernel that has them already (the AF_IPN patch
# series did) gets its own definitions shadowed here, which is harmless.
#
# socket_lock_t is opaque: it overlays its lock with a tagged anonymous
# struct (-fms-extensions) that bindgen drops, which would make it, and every
# field of struct sock after it, 64 bytes short with lockdep.  The other
# opaque types are reached only through pointers.  ipn_glue_sock_layout()
# checks the result against the C compiler's layout when the module loads.

ipn_net_types := (sock|sock_common|proto)(__bindgen_ty_[0-9]+)*|socket_lock_t| \
	__addrpair|__portpair|numa_drop_counters|raw_hashinfo| \
	request_sock_ops|sk_filter|smc_hashinfo|sock_reuseport|timewait_sock_ops
ipn_net_opaque := socket_lock_t|numa_drop_counters|raw_hashinfo| \
	request_sock_ops|sk_filter|smc_hashinfo|sock_reuseport|timewait_sock_ops
ipn_net_functions := sk_alloc|sock_init_data|lock_sock_nested|release_sock| \
	sk_net_capable|proto_register|proto_unregister|sock_no_.*| \
	skb_recv_datagram|sk_skb_reason_drop

ipn_net_bindgen_flags := --use-core --no-layout-tests --no-doc-comments \
	--ctypes-prefix kernel::ffi --no-debug '.*' \
	--enable-function-attribute-detection --no-recursive-allowlist \
	--allowlist-type '$(subst $(space),,$(ipn_net_types))' \
	--opaque-type '$(subst $(space),,$(ipn_net_opaque))' \
	--allowlist-function '$(subst $(space),,$(ipn_net_functions))' \
	--allowlist-var 'RCV_SHUTDOWN|SEND_SHUTDOWN|SHUTDOWN_MASK' \
	--raw-line 'pub use kernel::bindings::*;'

# The C flags as rust/Makefile hands them to bindgen: with GCC, minus the
# flags libclang does not know (the list is read from rust/Makefile, so it
# follows the kernel), plus clang's name of the target.
ifdef CONFIG_CC_IS_CLANG
ipn_net_c_flags = $(c_flags)
else
ipn_net_skip_c_flags := $(shell sed -n '/^bindgen_skip_c_flags :=/,/[^\\]$$/p' \
	$(srctree)/rust/Makefile 2>/dev/null | sed 's/^bindgen_skip_c_flags :=//; s/\\$$//')
ifeq ($(ipn_net_skip_c_flags),)
$(error ipn: no bindgen_skip_c_flags in $(srctree)/rust/Makefile: a GCC-built kernel's build tree must include rust/Makefile)
endif
# As rust/Makefile's BINDGEN_TARGET, for the architectures with Rust.
ipn_net_target_x86 := x86_64-linux-gnu
ipn_net_target_arm64 := aarch64-linux-gnu
ipn_net_target_arm := arm-linux-gnueabi
ipn_net_target_loongarch := loongarch64-linux-gnusf
ipn_net_target_s390 := s390x-linux-gnu
ipn_net_target_i386 := i386-linux-gnu
ipn_net_target_powerpc := $(if $(CONFIG_PPC64),powerpc64le,powerpc)-linux-gnu
ipn_net_target_um := $(ipn_net_target_$(SUBARCH))
ifeq ($(ipn_net_target_$(SRCARCH)),)
$(error ipn: no bindgen target known for $(SRCARCH))
endif
ipn_net_c_flags = $(filter-out $(ipn_net_skip_c_flags), $(c_flags)) -w \
	--target=$(ipn_net_target_$(SRCARCH))
endif

quiet_cmd_ipn_net_bindgen = BINDGEN $@
      cmd_ipn_net_bindgen = $(BINDGEN) $< $(ipn_net_bindgen_flags) -o $@ -- \
	$(filter-out $(CC_FLAGS_LTO), $(ipn_net_c_flags)) -fno-builtin -D__BINDGEN__

# The module's flags (-DMODULE and the rest), as for its C files.
$(obj)/net_bindings_generated.rs: private part-of-module := y
$(obj)/net_bindings_generated.rs: $(src)/../rust/net_bindings_helper.h \
		$(src)/../rust/net_bindings.mk FORCE
	$(call if_changed_dep,ipn_net_bindgen)

targets += net_bindings_generated.rs
clean-files += net_bindings_generated.rs
