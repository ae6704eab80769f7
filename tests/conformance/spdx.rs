//! spdx conformance (pending).
