//! The bodies of verdict's fuzz targets, one function per target (`fuzz_targets/NAME.rs` calls
//! `NAME`). They live in `bodies.rs` so that `tests/fuzz_regressions.rs` runs the same code.

#[path = "bodies.rs"]
mod bodies;

pub use bodies::*;
