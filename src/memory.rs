//! What the process holds: its resident and peak memory (for the log lines of long runs and
//! for the benchmarks), and handing memory it has freed back to the system at the points
//! where a long run drops a large structure just before building another.

/// The process's peak resident memory so far (Linux; 0 elsewhere), for the log.
pub fn peak_resident_mib() -> u64 {
    status_kb("VmHWM") >> 10
}

/// A field of `/proc/self/status` in kB (`VmRSS`, `VmHWM`; 0 where there is none).
pub fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| {
                l.strip_prefix(field)
                    .is_some_and(|rest| rest.starts_with(':'))
            })?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

/// Returns what the allocator holds freed to the system now. The binary allocates with
/// mimalloc, which keeps freed pages for a while before it purges them: dropping hundreds of
/// megabytes and then building something as large would otherwise hold both at once. (Where
/// mimalloc is not the allocator, as in the tests, it holds nothing and this is cheap.)
pub fn return_freed_memory() {
    // SAFETY: mi_collect takes no pointers and may be called from any thread at any time.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_and_peak_memory_are_read_from_the_process_status() {
        let resident = status_kb("VmRSS");
        assert!(resident > 0);
        assert!(peak_resident_mib() >= resident >> 10);
        // A field is matched whole, never by its prefix.
        assert_eq!(status_kb("VmRS"), 0);
        assert_eq!(status_kb("NoSuchField"), 0);
    }
}
