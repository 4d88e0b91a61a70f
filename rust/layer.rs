// SPDX-License-Identifier: GPL-2.0

//! The abstraction layer of `ipn.ko`: safe interfaces to the kernel's C
//! APIs, on which the IPN logic (`ipn/`) is written in safe Rust. All of
//! the module's `unsafe` code is here, in one file per kernel concept,
//! placed where it would live under `rust/kernel/` upstream; none of it
//! knows a type of the IPN logic.
//!
//! The C side of the layer is `ipn/glue/`: what bindgen cannot reach
//! (inline functions, macros, the `net_device_ops` of taps).

pub(crate) mod fs;
pub(crate) mod ipn;
pub(crate) mod net;
pub(crate) mod sync;
