// SPDX-License-Identifier: GPL-2.0

//! The policy API of AF_IPN (`include/net/ipn.h`): [`policy`] is what a
//! policy module implements, [`registry`] what `ipn.ko` keeps of the
//! registered policies and exports to them; [`records`] makes the user
//! ABI's records copyable to and from user memory.

// The hub uses little of the policy API; policy modules the rest.
#[allow(dead_code)]
pub(crate) mod policy;
mod records;
pub(crate) mod registry;
