//! What the process holds: its peak resident memory (for the log lines of long runs), and
//! handing memory it has freed back to the system at the points where a long run drops a
//! large structure just before building another.

/// The process's peak resident memory so far (Linux; 0 elsewhere), for the log.
pub fn peak_resident_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or(0, |kb| kb >> 10)
}

/// Returns what the allocator holds freed to the system now. The binary allocates with
/// mimalloc, which keeps freed pages for a while before it purges them: dropping hundreds of
/// megabytes and then building something as large would otherwise hold both at once. (Where
/// mimalloc is not the allocator, as in the tests, it holds nothing and this is cheap.)
pub fn return_freed_memory() {
    // SAFETY: mi_collect takes no pointers and may be called from any thread at any time.
    unsafe { libmimalloc_sys::mi_collect(true) }
}
