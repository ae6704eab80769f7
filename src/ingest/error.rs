//! Why an artifact could not be read, and where.

use std::fmt;

/// A stable diagnostic code. Each has a heading in `docs/diagnostics.md`; the test
/// `every_code_is_documented` keeps the two in step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// The file could not be opened or read.
    Unreadable,
    /// The file is larger than `--max-file-size`.
    TooLarge,
    /// The file ends in the middle of a document.
    Truncated,
    /// A file found in a folder is empty (or blank) though its name says it is an artifact.
    Empty,
    /// A report starts after lines of other text (a tool's log written into the same file).
    TextBeforeReport,
    /// The file is not well-formed JSON.
    MalformedJson,
    /// The file is not well-formed XML.
    MalformedXml,
    /// The file holds bytes that are not UTF-8.
    InvalidUtf8,
    /// The XML declares an encoding other than UTF-8.
    UnsupportedEncoding,
    /// Nesting deeper than the limit.
    TooDeep,
    /// The XML has a DOCTYPE that declares entities or points at an external DTD.
    XmlDoctype,
    /// The XML uses an entity that is not one of XML's five predefined ones.
    XmlEntity,
    /// A file named with `--input KIND=PATH` is not of that kind.
    WrongKind,
    /// A file named by its own path is not an artifact verdict recognizes.
    Unrecognized,
    /// The artifact's format version is not supported.
    UnsupportedVersion,
    /// A required field is missing.
    MissingField,
    /// A field has a value of the wrong type or an unexpected value.
    BadValue,
    /// Two `--input custom:NAME=…` share a name.
    DuplicateName,
    /// A JSON object gives one key twice.
    DuplicateKey,
    /// One JSON object is two kinds of artifact at once (an SBOM that also carries a Trivy report).
    TwoKinds,
}

impl Code {
    /// Every code, for documentation tests.
    pub const ALL: [Code; 20] = [
        Code::Unreadable,
        Code::TooLarge,
        Code::Truncated,
        Code::Empty,
        Code::TextBeforeReport,
        Code::MalformedJson,
        Code::MalformedXml,
        Code::InvalidUtf8,
        Code::UnsupportedEncoding,
        Code::TooDeep,
        Code::XmlDoctype,
        Code::XmlEntity,
        Code::WrongKind,
        Code::Unrecognized,
        Code::UnsupportedVersion,
        Code::MissingField,
        Code::BadValue,
        Code::DuplicateName,
        Code::DuplicateKey,
        Code::TwoKinds,
    ];

    /// The code as printed: `ingest/<kebab-case>`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Unreadable => "ingest/unreadable",
            Code::TooLarge => "ingest/too-large",
            Code::Truncated => "ingest/truncated",
            Code::Empty => "ingest/empty",
            Code::TextBeforeReport => "ingest/text-before-report",
            Code::MalformedJson => "ingest/malformed-json",
            Code::MalformedXml => "ingest/malformed-xml",
            Code::InvalidUtf8 => "ingest/invalid-utf8",
            Code::UnsupportedEncoding => "ingest/unsupported-encoding",
            Code::TooDeep => "ingest/too-deep",
            Code::XmlDoctype => "ingest/xml-doctype",
            Code::XmlEntity => "ingest/xml-entity",
            Code::WrongKind => "ingest/wrong-kind",
            Code::Unrecognized => "ingest/unrecognized",
            Code::UnsupportedVersion => "ingest/unsupported-version",
            Code::MissingField => "ingest/missing-field",
            Code::BadValue => "ingest/bad-value",
            Code::DuplicateName => "ingest/duplicate-name",
            Code::DuplicateKey => "ingest/duplicate-key",
            Code::TwoKinds => "ingest/two-kinds",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place in an artifact. Parsers fill what they know; the CLI turns a byte `offset` into
/// `line`/`column` by re-reading the file when it renders the error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// 1-based line.
    pub line: Option<u64>,
    /// 1-based column.
    pub column: Option<u64>,
    /// Byte offset from the start of the file.
    pub offset: Option<u64>,
    /// JSON path (`Results[3].Vulnerabilities[0].Severity`) or XML element path
    /// (`/testsuites/testsuite[2]/testcase[7]`).
    pub path: Option<String>,
}

impl Location {
    /// Nothing known.
    pub fn none() -> Self {
        Self::default()
    }

    /// A line and column.
    pub fn line_col(line: u64, column: u64) -> Self {
        Location { line: Some(line), column: Some(column), ..Self::default() }
    }

    /// A byte offset.
    pub fn offset(offset: u64) -> Self {
        Location { offset: Some(offset), ..Self::default() }
    }

    /// Adds a document path.
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        let p = path.into();
        self.path = if p.is_empty() || p == "." { None } else { Some(p) };
        self
    }
}

/// An artifact that could not be read. It names the place, what was found, what was expected
/// and how to fix it; the CLI adds the file's path. Boxed, so that `Result`s stay small on the
/// hot paths of the parsers; its fields are reached through `Deref`.
#[derive(Debug)]
pub struct IngestError(Box<Details>);

/// The fields of an [`IngestError`].
#[derive(Debug)]
pub struct Details {
    /// Stable code.
    pub code: Code,
    /// What went wrong, lower-case, without a trailing period.
    pub message: String,
    /// Where.
    pub location: Location,
    /// What was expected there.
    pub expected: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
    /// The underlying error, for the `caused by:` chain.
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl std::ops::Deref for IngestError {
    type Target = Details;
    fn deref(&self) -> &Details {
        &self.0
    }
}

impl std::ops::DerefMut for IngestError {
    fn deref_mut(&mut self) -> &mut Details {
        &mut self.0
    }
}

impl fmt::Display for IngestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for IngestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl IngestError {
    /// A new error with a code and message and no location.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        IngestError(Box::new(Details {
            code,
            message: message.into(),
            location: Location::none(),
            expected: None,
            help: None,
            source: None,
        }))
    }

    /// Sets the location.
    pub fn at(mut self, location: Location) -> Self {
        self.location = location;
        self
    }

    /// Sets what was expected.
    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.0.expected = Some(expected.into());
        self
    }

    /// Sets how to fix it.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.0.help = Some(help.into());
        self
    }

    /// Sets the underlying error.
    pub fn caused_by(mut self, e: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.0.source = Some(Box::new(e));
        self
    }
}

/// The I/O error a size-limited reader returns once the limit is passed; ingest maps it to
/// [`Code::TooLarge`] wherever a parser surfaces it.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the file is larger than the limit of {limit} bytes")]
pub struct LimitExceeded {
    /// The limit in bytes.
    pub limit: u64,
}

/// Classifies an I/O error that surfaced while parsing.
pub fn from_io(e: std::io::Error, location: Location) -> IngestError {
    if let Some(limit) = e.get_ref().and_then(|inner| inner.downcast_ref::<LimitExceeded>()) {
        return too_large(limit.limit, None);
    }
    if e.kind() == std::io::ErrorKind::InvalidData {
        return IngestError::new(Code::InvalidUtf8, "the file holds bytes that are not valid UTF-8")
            .at(location)
            .help("verdict reads UTF-8; re-encode the file, e.g. `iconv -f LATIN1 -t UTF-8`")
            .caused_by(e);
    }
    IngestError::new(Code::Unreadable, "reading the file failed").at(location).caused_by(e)
}

/// The error for a file above the size limit (of `actual` bytes, when known).
pub fn too_large(limit: u64, actual: Option<u64>) -> IngestError {
    let message = match actual {
        Some(n) => format!("the file is {}, above the limit of {}", human_bytes(n), human_bytes(limit)),
        None => format!("the file is larger than the limit of {}", human_bytes(limit)),
    };
    IngestError::new(Code::TooLarge, message)
        .expected(format!("at most {limit} bytes"))
        .help("raise the limit with `--max-file-size` (or VERDICT_MAX_FILE_SIZE) if this artifact is genuine")
}

/// `536870912` → `512 MiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if n >= size && n.is_multiple_of(size) {
            return format!("{} {unit}", n / size);
        }
        if n >= size {
            return format!("{:.1} {unit}", n as f64 / size as f64);
        }
    }
    format!("{n} bytes")
}
