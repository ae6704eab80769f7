//! The size limits of each surface a report lands on. They are the platforms' limits, except where
//! marked as verdict's own choice. Renderers never exceed them; `docs/reports.md` says how each
//! surface degrades to fit.

/// A GitHub issue or pull-request comment body, in characters.
pub const GITHUB_COMMENT_CHARS: usize = 65_536;

/// A GitHub check run's `output.summary`, in characters.
pub const GITHUB_CHECK_RUN_SUMMARY_CHARS: usize = 65_535;

/// A GitHub Actions job summary (`$GITHUB_STEP_SUMMARY`), in bytes: 1 MiB per step.
pub const GITHUB_JOB_SUMMARY_BYTES: usize = 1024 * 1024;

/// A GitLab merge-request note, in characters.
pub const GITLAB_NOTE_CHARS: usize = 1_000_000;

/// Workflow-command `::error` annotations GitHub shows per workflow step (more are dropped).
pub const GITHUB_STEP_ERRORS: usize = 10;

/// Workflow-command `::warning` annotations GitHub shows per workflow step.
pub const GITHUB_STEP_WARNINGS: usize = 10;

/// Workflow-command `::notice` annotations GitHub shows per workflow step.
pub const GITHUB_STEP_NOTICES: usize = 10;

/// Check-run annotations accepted in one Checks API request.
pub const GITHUB_CHECK_RUN_ANNOTATIONS_PER_REQUEST: usize = 50;

/// A check-run annotation's `title`, in characters.
pub const GITHUB_ANNOTATION_TITLE_CHARS: usize = 255;

/// A check-run annotation's `message`, in bytes (64 KB).
pub const GITHUB_ANNOTATION_MESSAGE_BYTES: usize = 64 * 1024;

/// A check-run annotation's `raw_details`, in bytes (64 KB).
pub const GITHUB_ANNOTATION_RAW_DETAILS_BYTES: usize = 64 * 1024;

/// verdict's choice: most check-run annotations made for one run (20 requests). The Checks API
/// has no total limit, but 50,000 findings would take 1,000 requests and run into the secondary
/// rate limits; the most severe findings are annotated, the summary counts the rest.
pub const CHECK_RUN_MAX_ANNOTATIONS: usize = 1_000;

/// Results GitHub code scanning accepts in one SARIF run (a file with more is rejected).
pub const SARIF_MAX_RESULTS: usize = 25_000;

/// verdict's choice: the largest SARIF file written, in bytes. GitHub rejects uploads over 10 MB
/// gzipped; staying under 10 MB before compression keeps every file acceptable.
pub const SARIF_MAX_BYTES: usize = 10_000_000;

/// verdict's choice: findings listed in one JUnit testcase's failure or output (the rest are
/// counted), so that a rule with 50,000 findings stays a readable testcase.
pub const JUNIT_FINDINGS_PER_TESTCASE: usize = 100;
