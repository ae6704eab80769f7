//! junit conformance (pending).
