//! `verdict.yaml`: read, validate every value in one pass, and produce a [`Config`].

mod codes;
mod model;
mod source;
mod yaml;

pub use codes::Code;
pub use model::*;
