//! The binary: run the CLI, turn a panic into exit code 3, exit with the documented code.

use std::process::ExitCode;

use verdict::exit::Exit;

fn main() -> ExitCode {
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
