//! The binary: run the CLI, turn a panic into exit code 3, stop on SIGINT and SIGTERM, exit with
//! the documented code.

use std::process::ExitCode;

use verdict::exit::Exit;

fn main() -> ExitCode {
    no_huge_pages();
    exit_on_panic();
    exit_on_signal();
    verdict::cli::main().into()
}

/// A panic anywhere, on the main thread or on a worker, is a bug: after the standard message
/// (what and where), say so and exit 3, the documented code for an internal error. Exiting from
/// the hook, rather than unwinding to `main`, gives the same exit whether the binary unwinds
/// or aborts on a panic: the shipped binary (profile `dist`) aborts, which leaves the
/// unwinding tables and landing pads out of the image.
fn exit_on_panic() {
    let standard = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        standard(info);
        #[allow(clippy::print_stderr)]
        {
            eprintln!(
                "error[internal]: verdict stopped on a bug (the message above says where); please report it with the command line"
            );
        }
        // The one exit outside `main`'s return: nothing can be handed back from a panic hook.
        #[allow(clippy::exit)]
        std::process::exit(i32::from(Exit::Internal.code()));
    }));
}

/// SIGINT (Ctrl-C) and SIGTERM (`docker stop`, a cancelled CI job) end the run at once, with
/// 130 and 143 as a shell reports a process they killed. Without handlers they would do that
/// anyway, except where verdict matters most: as PID 1 of its container (`docker run`, the
/// GitHub Action), the kernel gives it no default action for them, so Ctrl-C did nothing,
/// `docker stop` waited out its grace period for a SIGKILL, and a cancelled workflow's verdict
/// went on publishing. Report files are written to temporary names and renamed only once all
/// are complete, so a stop leaves no half-written report (the next run removes the temporary
/// files). A machine that cannot install the handlers keeps the default behaviour.
fn exit_on_signal() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else { return };
    let _ = std::thread::Builder::new().name("signals".into()).spawn(move || {
        if let Some(signal) = signals.forever().next() {
            let name = if signal == SIGINT { "SIGINT" } else { "SIGTERM" };
            // Said from a thread of its own, waited for a moment only: a stderr that nobody
            // reads (`2>&1 | less`) would block the message, and with it the exit.
            let (said, wait) = std::sync::mpsc::channel();
            let _ = std::thread::Builder::new().name("signal message".into()).spawn(move || {
                #[allow(clippy::print_stderr)]
                {
                    eprintln!("verdict: stopped by {name}: nothing more is written or published");
                }
                let _ = said.send(());
            });
            let _ = wait.recv_timeout(std::time::Duration::from_millis(200));
            // The other exit outside `main`'s return: the run is abandoned where it stands.
            #[allow(clippy::exit)]
            std::process::exit(128 + signal);
        }
    });
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
