// SPDX-License-Identifier: GPL-2.0

//! Filesystem.

pub(crate) mod path;
