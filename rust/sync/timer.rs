// SPDX-License-Identifier: GPL-2.0

//! A deferred call: runs its owner's handler once, some milliseconds after
//! it is armed, in process context (a delayed work on the system
//! workqueue), and can be stopped for good.
//!
//! C side: `ipn/glue/ipn_timer.c`; C header:
//! [`include/linux/workqueue.h`](srctree/include/linux/workqueue.h).

use core::{marker::PhantomData, ptr::NonNull};
use kernel::{
    ffi::{c_uint, c_void},
    prelude::*,
};

// The module's C glue (`ipn/glue/ipn_timer.c`); see `ipn_glue.h`.
extern "C" {
    fn ipn_glue_timer_new() -> *mut c_void;
    fn ipn_glue_timer_bind(
        t: *mut c_void,
        f: unsafe extern "C" fn(ctx: *mut c_void),
        ctx: *mut c_void,
    );
    fn ipn_glue_timer_arm(t: *mut c_void, ms: c_uint);
    fn ipn_glue_timer_stop(t: *mut c_void);
    fn ipn_glue_timer_free(t: *mut c_void);
}

/// What a [`Timer`] calls.
pub(crate) trait TimerHandler: Sync {
    /// The timer expired. Process context; never runs twice at once.
    fn fire(&self);
}

/// A timer of `T`, which arming does nothing to until it is bound to its
/// owner, and after it is stopped.
///
/// # Invariants
///
/// `raw` is a `struct ipn_timer` of the C glue, owned by `self`. While it
/// is bound and not stopped, the `T` it is bound to is valid.
pub(crate) struct Timer<T: TimerHandler> {
    raw: NonNull<c_void>,
    _p: PhantomData<fn(&T)>,
}

// SAFETY: The C timer is armed, stopped and freed from any thread; the
// handler it calls is `Sync`.
unsafe impl<T: TimerHandler> Send for Timer<T> {}
// SAFETY: As above; arming and stopping take the C timer's lock.
unsafe impl<T: TimerHandler> Sync for Timer<T> {}

impl<T: TimerHandler> Timer<T> {
    /// A new, unbound timer.
    pub(crate) fn new() -> Result<Self> {
        // SAFETY: Plain allocation.
        let raw = NonNull::new(unsafe { ipn_glue_timer_new() }).ok_or(ENOMEM)?;
        Ok(Self {
            raw,
            _p: PhantomData,
        })
    }

    /// # Safety
    ///
    /// Called by the C timer with the `ctx` of [`Timer::bind`].
    unsafe extern "C" fn run(ctx: *mut c_void) {
        // SAFETY: `bind`'s caller keeps the owner valid until the timer is
        // stopped, and a stopped timer does not run.
        unsafe { &*ctx.cast::<T>() }.fire();
    }

    /// Binds the timer to `owner`, whose handler it calls from now on.
    /// Only the first binding counts.
    ///
    /// # Safety
    ///
    /// `owner` must stay valid until [`Timer::stop`] has returned or the
    /// timer is dropped.
    pub(crate) unsafe fn bind(&self, owner: &T) {
        let ctx = core::ptr::from_ref(owner).cast_mut().cast();
        // SAFETY: `raw` is valid (type invariant); the caller keeps `ctx`
        // valid as long as the timer may call it.
        unsafe { ipn_glue_timer_bind(self.raw.as_ptr(), Self::run, ctx) };
    }

    /// Runs the handler `ms` milliseconds from now, replacing an earlier
    /// arming. Any context.
    pub(crate) fn arm(&self, ms: u32) {
        // SAFETY: `raw` is valid (type invariant).
        unsafe { ipn_glue_timer_arm(self.raw.as_ptr(), ms) };
    }

    /// Stops the timer for good, waiting for a running handler. May sleep.
    pub(crate) fn stop(&self) {
        // SAFETY: `raw` is valid (type invariant).
        unsafe { ipn_glue_timer_stop(self.raw.as_ptr()) };
    }
}

impl<T: TimerHandler> Drop for Timer<T> {
    fn drop(&mut self) {
        // SAFETY: Owned (type invariant); stopped, then freed, once.
        unsafe { ipn_glue_timer_free(self.raw.as_ptr()) };
    }
}
