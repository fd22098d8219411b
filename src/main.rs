//! The `auditstream` binary: `serve` (the default) runs the web app; `audit` checks contract
//! files from a terminal or CI. Everything lives in `auditstream::cli`.

#[cfg(feature = "ssr")]
fn main() -> std::process::ExitCode {
    auditstream::cli::main()
}

#[cfg(not(feature = "ssr"))]
pub fn main() {
    // The browser build has no binary; `hydrate()` in lib.rs is its entry point.
}
