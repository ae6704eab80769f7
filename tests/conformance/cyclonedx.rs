//! cyclonedx conformance (pending).
