//! The verdict: findings, waivers and thresholds folded into one outcome. Pure logic, no I/O.

pub mod waiver;
