// SPDX-License-Identifier: GPL-2.0

//! The part of the abstraction layer (`rust/layer.rs`) that a policy
//! module builds against: the same files, at the same paths, as in
//! `ipn.ko`. A policy uses only some of what they offer; `ipn.ko`'s build
//! is the one that finds dead code in them.
#![allow(dead_code)]

/// See `rust/ipn.rs`.
pub(crate) mod ipn {
    pub(crate) mod policy;
    mod records;
}

/// See `rust/net.rs`.
pub(crate) mod net {
    pub(crate) mod skbuff;
    pub(crate) mod sockopt;
}

pub(crate) mod random;
pub(crate) mod siphash;
