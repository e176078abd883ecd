//! The `cadre` binary: hands the command line to `cadre::cli`.

/// mimalloc: an import parses a million dossiers on worker threads into small strings that
/// the writing thread frees, which glibc's allocator serves slowly (docs/scale.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cadre::cli::main()
}
