//! Exit codes: an API for scripts and CI, one enum and one mapping.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | pass (and warn, unless `--fail-on warn`) |
//! | 1 | fail: policy evaluated and said no |
//! | 2 | usage, config or input error: a bad flag, an unreadable or malformed artifact |
//! | 3 | internal or infrastructure error: a bug (panic), a service that could not be reached, a machine out of file handles, disk or memory |
//!
//! Precedence is error > fail > warn > pass: an error is never hidden by a result. Nothing
//! but a policy failure exits 1. `--help` says the same in its "Exit status" section
//! (`cli::args`).

use std::process::ExitCode;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// 0: the gate passed (or the command did its job).
    Pass,
    /// 1: policy evaluated and said no.
    Fail,
    /// 2: usage, config or input error.
    Input,
    /// 3: internal or infrastructure error.
    Internal,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Pass => 0,
            Exit::Fail => 1,
            Exit::Input => 2,
            Exit::Internal => 3,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes are the documented ones, and errors outrank results.
    #[test]
    fn codes() {
        assert_eq!([Exit::Pass, Exit::Fail, Exit::Input, Exit::Internal].map(Exit::code), [0, 1, 2, 3]);
        assert!(Exit::Input > Exit::Fail && Exit::Internal > Exit::Input);
    }
}
