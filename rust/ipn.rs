// SPDX-License-Identifier: GPL-2.0

//! The policy API of AF_IPN (`include/net/ipn.h`): [`policy`] is what a
//! policy module implements, [`registry`] what `ipn.ko` keeps of the
//! registered policies and exports to them.

pub mod policy;
pub mod registry;
