//! The binary: run the CLI, turn a panic into exit code 3, exit with the documented code.

use std::process::ExitCode;

use verdict::exit::Exit;

fn main() -> ExitCode {
    no_huge_pages();
    match std::panic::catch_unwind(verdict::cli::main) {
        Ok(exit) => exit.into(),
        Err(_) => {
            // The panic hook already printed the message and location.
            #[allow(clippy::print_stderr)]
            {
                eprintln!(
                    "error[internal]: verdict stopped on a bug (the message above says where); please report it with the command line"
                );
            }
            Exit::Internal.into()
        }
    }
}

/// mimalloc hands the kernel memory it has madvised for transparent huge pages, and on a
/// machine with THP in `madvise` mode (the default of most distributions) every first touch
/// then zeroes a whole 2 MiB page: a fifth of a run's time at scale 10, for memory that a
/// short-lived process mostly never uses. Normal pages cost it nothing. Best effort: a kernel
/// without the prctl just keeps huge pages.
fn no_huge_pages() {
    #[cfg(all(feature = "mimalloc", target_os = "linux"))]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}
