//! verdict: the last step of every pipeline. It reads the artifacts CI already produced,
//! verifies where they came from, decides with policy, and explains the verdict.
//!
//! The data flows one way (see `docs/design.md`):
//! artifacts → [`ingest`] → [`evidence`] → policy → verdict → report → publish → exit code.
//! Only the edges (`cli`, `main.rs`) print, touch the environment or choose exit codes.

#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod cli;
pub mod config;
pub mod diag;
pub mod evidence;
pub mod exit;
pub mod ingest;
pub mod policy;
pub mod publish;
pub mod report;
pub mod sign;
pub mod verdict;
pub mod work;
