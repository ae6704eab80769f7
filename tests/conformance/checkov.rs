//! checkov conformance (pending).
