//! Logging to stderr with tracing-subscriber.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use super::args::LogFormat;

/// Installs the global subscriber. `RUST_LOG`, when set, wins over `-v`/`-q`.
pub fn init(verbose: u8, quiet: bool, format: LogFormat, color: bool) {
    let filter = match std::env::var("RUST_LOG") {
        Ok(v) if !v.trim().is_empty() => EnvFilter::new(v),
        _ => EnvFilter::new(match (quiet, verbose) {
            (true, _) => "error",
            (false, 0) => "warn",
            (false, 1) => "warn,verdict=info",
            (false, 2) => "info,verdict=debug",
            (false, _) => "debug,verdict=trace",
        }),
    };
    let builder =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false);
    let _ = match format {
        LogFormat::Text => {
            builder.without_time().with_ansi(color && std::io::stderr().is_terminal()).try_init()
        }
        LogFormat::Json => builder.json().with_current_span(false).with_span_list(false).try_init(),
    };
}
