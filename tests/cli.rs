//! CLI cases: each `tests/cli/<case>.toml` runs `verdict` in `<case>.in/` and pins its exit
//! code, stdout and stderr exactly — the error messages a user reads are part of the interface.
//! Regenerate after an intended change with `TRYCMD=overwrite cargo test --test cli`, then
//! review the diff.

#[test]
fn cli_cases() {
    trycmd::TestCases::new().case("tests/cli/*.toml");
}
