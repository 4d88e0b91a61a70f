// SPDX-License-Identifier: GPL-2.0

//! Synchronisation.

pub(crate) mod rcu_cell;
