//! `verdict.yaml`: read, validate every value in one pass, and produce a [`Config`].
//!
//! Owns: the file's shape and its diagnostics. The loader (with locations, nearest-key
//! suggestions and `verdict init`'s templates) lands with the rest of the policy stage.

mod model;

pub use model::*;
