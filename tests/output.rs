//! Where `--output` writes: a regular file is replaced atomically, anything else (a device, a
//! pipe) is written in place and stays what it was.

#![allow(clippy::unwrap_used)]

use std::process::Command;

fn verdict() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_verdict"));
    c.env_remove("CI").env_remove("GITHUB_ACTIONS").env_remove("GITLAB_CI");
    c
}

fn demo_junit() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/reports/junit")
}

/// A regular file is replaced in one step, and no temporary file is left beside it.
#[test]
fn regular_file_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("evidence.json");
    std::fs::write(&out, "old").unwrap();
    let status = verdict().arg("evidence").arg(demo_junit()).arg("-o").arg(&out).status().unwrap();
    assert!(status.success());
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(doc["apiVersion"], "verdict/evidence/v1");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "a temporary file was left behind");
}

/// A FIFO (like /dev/stdout or /dev/null, a non-regular file) is written into, not renamed
/// over: regression test for `-o /dev/null` turning /dev/null into a regular file.
#[cfg(unix)]
#[test]
fn special_file_is_written_in_place() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let status = verdict().arg("evidence").arg(demo_junit()).arg("-o").arg(&fifo).status().unwrap();
    assert!(status.success());
    let text = reader.join().unwrap();
    assert!(text.contains("verdict/evidence/v1"));
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO was replaced by a file");
}
