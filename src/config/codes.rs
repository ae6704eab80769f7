//! The stable codes of `verdict.yaml` diagnostics.
//!
//! Owns: each code's name, level and one-line description. Every code has a heading in
//! `docs/diagnostics.md`; the test `every_code_is_documented` keeps the two in step.

use std::fmt;

use crate::diag::Level;

/// A stable diagnostic code, printed as `config/<kebab-case>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// The configuration file, or the file `waivers_file` names, could not be read.
    Unreadable,
    /// The file is larger than [`super::MAX_CONFIG_BYTES`].
    TooLarge,
    /// More than one configuration file in the same folder.
    Ambiguous,
    /// The text is not YAML.
    InvalidYaml,
    /// YAML that verdict refuses: anchors, aliases, tags, several documents, complex keys,
    /// nesting deeper than the limit.
    UnsupportedYaml,
    /// A key written twice in one mapping.
    DuplicateKey,
    /// A key verdict does not know at that place.
    UnknownKey,
    /// A value of the wrong type (a string where a list belongs, …).
    WrongType,
    /// A required key is absent (a waiver's `reason`, a named input's `path`, …).
    MissingKey,
    /// A value of the right type that is not acceptable (an unknown word, a bad date, …).
    InvalidValue,
    /// An empty list where empty has no clear meaning.
    EmptyList,
    /// Two `inputs.named` entries read the same file or share a custom name.
    DuplicateInput,
    /// Two waivers with the same criteria.
    DuplicateWaiver,
    /// A waiver that does not single out findings (no criterion, or a path that matches
    /// every file).
    WaiverTooBroad,
    /// The same word twice in a list (warning).
    RepeatedEntry,
    /// An empty list that turns one of the built-in pack's checks off (warning).
    CheckDisabled,
    /// A setting that another setting makes pointless (warning).
    NoEffect,
    /// A signer pattern that matches more than it seems to: not anchored with `^…$` (warning).
    BroadPattern,
    /// A configuration named with `--config` or `VERDICT_CONFIG` leaves one in the working
    /// directory unread: its requirements and waivers do not apply.
    NotRead,
}

impl Code {
    /// Every code, for documentation tests.
    pub const ALL: [Code; 19] = [
        Code::Unreadable,
        Code::TooLarge,
        Code::Ambiguous,
        Code::InvalidYaml,
        Code::UnsupportedYaml,
        Code::DuplicateKey,
        Code::UnknownKey,
        Code::WrongType,
        Code::MissingKey,
        Code::InvalidValue,
        Code::EmptyList,
        Code::DuplicateInput,
        Code::DuplicateWaiver,
        Code::WaiverTooBroad,
        Code::RepeatedEntry,
        Code::CheckDisabled,
        Code::NoEffect,
        Code::BroadPattern,
        Code::NotRead,
    ];

    /// The code as printed: `config/<kebab-case>`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Unreadable => "config/unreadable",
            Code::TooLarge => "config/too-large",
            Code::Ambiguous => "config/ambiguous",
            Code::InvalidYaml => "config/invalid-yaml",
            Code::UnsupportedYaml => "config/unsupported-yaml",
            Code::DuplicateKey => "config/duplicate-key",
            Code::UnknownKey => "config/unknown-key",
            Code::WrongType => "config/wrong-type",
            Code::MissingKey => "config/missing-key",
            Code::InvalidValue => "config/invalid-value",
            Code::EmptyList => "config/empty-list",
            Code::DuplicateInput => "config/duplicate-input",
            Code::DuplicateWaiver => "config/duplicate-waiver",
            Code::WaiverTooBroad => "config/waiver-too-broad",
            Code::RepeatedEntry => "config/repeated-entry",
            Code::CheckDisabled => "config/check-disabled",
            Code::NoEffect => "config/no-effect",
            Code::BroadPattern => "config/broad-pattern",
            Code::NotRead => "config/not-read",
        }
    }

    /// Whether it stops the run. A code has one level, so that `docs/diagnostics.md` can say
    /// which it is and a future `--allow/--deny <code>` has one place to remap it.
    pub fn level(self) -> Level {
        match self {
            Code::RepeatedEntry
            | Code::CheckDisabled
            | Code::NoEffect
            | Code::BroadPattern
            | Code::NotRead => Level::Warning,
            Code::Unreadable
            | Code::TooLarge
            | Code::Ambiguous
            | Code::InvalidYaml
            | Code::UnsupportedYaml
            | Code::DuplicateKey
            | Code::UnknownKey
            | Code::WrongType
            | Code::MissingKey
            | Code::InvalidValue
            | Code::EmptyList
            | Code::DuplicateInput
            | Code::DuplicateWaiver
            | Code::WaiverTooBroad => Level::Error,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
