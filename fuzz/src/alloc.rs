//! A counting global allocator: live bytes and their peak, so that each target can assert
//! that one call allocated no more than its bound ([`crate::check::allocation`]).
//!
//! It is this crate's `#[global_allocator]`, so every binary that links the crate (the
//! libFuzzer targets and the stable replay) counts with it. The counters are global:
//! measure from one thread at a time (libFuzzer runs one input at a time; the replay is
//! a plain single-threaded `main`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// The system allocator, counting.
pub struct Counting;

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Bytes allocated and not yet freed.
static LIVE: AtomicUsize = AtomicUsize::new(0);
/// The highest `LIVE` since the last [`measure`] began.
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// Allocations of at least this many bytes print a backtrace ([`trace_from_env`]).
static TRACE_FROM: AtomicUsize = AtomicUsize::new(usize::MAX);

thread_local! {
    /// Set while a backtrace is printed, whose own allocations are not traced.
    static TRACING: Cell<bool> = const { Cell::new(false) };
}

fn grow(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Relaxed) + bytes;
    PEAK.fetch_max(live, Relaxed);
    if bytes >= TRACE_FROM.load(Relaxed) {
        trace(bytes);
    }
}

fn trace(bytes: usize) {
    let _ = TRACING.try_with(|tracing| {
        if !tracing.replace(true) {
            eprintln!(
                "allocation of {bytes} bytes at:\n{}",
                std::backtrace::Backtrace::force_capture()
            );
            tracing.set(false);
        }
    });
}

/// With `CERTGATE_FUZZ_TRACE_ALLOC=N` in the environment, every allocation of N bytes
/// or more prints where it came from: how to find what broke an allocation bound.
pub fn trace_from_env() {
    if let Some(bytes) = std::env::var("CERTGATE_FUZZ_TRACE_ALLOC")
        .ok()
        .and_then(|value| value.parse().ok())
    {
        TRACE_FROM.store(bytes, Relaxed);
    }
}

fn shrink(bytes: usize) {
    LIVE.fetch_sub(bytes, Relaxed);
}

// SAFETY: every call is forwarded to `System` unchanged; only counters are updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is System's.
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            grow(layout.size());
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as above.
        let pointer = unsafe { System.alloc_zeroed(layout) };
        if !pointer.is_null() {
            grow(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(pointer, layout) };
        shrink(layout.size());
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            if new_size >= layout.size() {
                grow(new_size - layout.size());
            } else {
                shrink(layout.size() - new_size);
            }
        }
        moved
    }
}

/// Runs `call` and returns its result with the peak of live bytes during the call, above
/// what was live when it began (what the call's result still holds is included).
pub fn measure<R>(call: impl FnOnce() -> R) -> (R, usize) {
    let base = LIVE.load(Relaxed);
    PEAK.store(base, Relaxed);
    let result = call();
    let peak = PEAK.load(Relaxed).saturating_sub(base);
    LAST.store(peak, Relaxed);
    (result, peak)
}

/// The peak of the latest [`measure`] (for the replay's report).
static LAST: AtomicUsize = AtomicUsize::new(0);

/// The peak that the latest [`measure`] returned.
pub fn last_peak() -> usize {
    LAST.load(Relaxed)
}
