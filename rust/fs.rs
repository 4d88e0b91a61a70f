// SPDX-License-Identifier: GPL-2.0

//! Filesystem.

pub mod path;
