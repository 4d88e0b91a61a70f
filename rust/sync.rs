// SPDX-License-Identifier: GPL-2.0

//! Synchronisation.

pub(crate) mod rcu_cell;
pub(crate) mod timer;

use core::sync::atomic::{AtomicBool, Ordering};
use kernel::prelude::*;

/// Declares a module-global `Mutex` (`kernel::sync::global_lock!`) and the
/// guard type that makes it usable.
///
/// The guard's `new()` initialises the lock; it fails with `EBUSY` if
/// called again, and must run in module init before anything of the
/// module can take the lock (`global_lock!`'s contract), which the module's
/// structure ensures: no socket, device or policy exists before it. The
/// guard's drop empties the value, as statics are never dropped.
macro_rules! module_global {
    (
        $(#[$meta:meta])*
        static $name:ident: Mutex<$t:ty> = $init:expr;
        $(#[$gmeta:meta])*
        $gvis:vis struct $guard:ident;
    ) => {
        ::kernel::sync::global_lock! {
            $(#[$meta])*
            // SAFETY: Initialised by `$guard::new()`, once, in module init
            // before the lock can be used.
            unsafe(uninit) static $name: Mutex<$t> = $init;
        }

        $(#[$gmeta])*
        $gvis struct $guard(());

        impl $guard {
            /// Makes the global usable; module init, before any use.
            $gvis fn new() -> ::kernel::error::Result<Self> {
                static DONE: $crate::layer::sync::InUse = $crate::layer::sync::InUse::new();
                DONE.claim()?;
                // SAFETY: Once (above), from module init, before anything
                // of the module can take the lock.
                unsafe { $name.init() };
                Ok(Self(()))
            }
        }

        impl Drop for $guard {
            fn drop(&mut self) {
                drop(::core::mem::take(&mut *$name.lock()));
            }
        }
    };
}
pub(crate) use module_global;

/// A flag for what a module may set up only once at a time (a C global
/// behind it, a `static`): claimed by the set-up, released by its undoing.
pub(crate) struct InUse(AtomicBool);

impl InUse {
    /// A flag not claimed.
    pub(crate) const fn new() -> Self {
        Self(AtomicBool::new(false))
    }

    /// Claims the flag; `EBUSY` if it is claimed already.
    pub(crate) fn claim(&self) -> Result {
        if self.0.swap(true, Ordering::AcqRel) {
            return Err(EBUSY);
        }
        Ok(())
    }

    /// Releases the flag, once what it guards is undone.
    pub(crate) fn release(&self) {
        self.0.store(false, Ordering::Release);
    }
}

/// Waits, when dropped, for the RCU callbacks queued so far (`rcu_barrier()`):
/// a module that queues them (through [`rcu_cell::RcuCell`]) drops this
/// last, so that no callback outlives its code.
pub(crate) struct RcuBarrier(());

impl RcuBarrier {
    /// A barrier for module exit.
    pub(crate) fn new() -> Self {
        Self(())
    }
}

impl Drop for RcuBarrier {
    fn drop(&mut self) {
        kernel::sync::rcu::rcu_barrier();
    }
}
