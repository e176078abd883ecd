//! The `cadre` binary: hands the command line to `cadre::cli`.

fn main() -> std::process::ExitCode {
    cadre::cli::main()
}
