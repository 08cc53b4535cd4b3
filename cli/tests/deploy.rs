//! The cluster scripts' shard command, run locally as N processes, merges into exactly the
//! result of one whole run with the same seed.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn sorted_lines(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("results.jsonl")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines.sort_by_key(|l| {
        let id = l.split(&['"', ':', ','][..]).nth(3).unwrap().to_owned();
        id.parse::<u64>().unwrap()
    });
    lines
}

#[test]
fn local_shards_merge_to_one_run() {
    let work = std::env::temp_dir().join(format!("wasmrel-deploy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let wasmrel = env!("CARGO_BIN_EXE_wasmrel");
    let module = root().join("benches/programs/sieve.run.wasm");
    let module = module.to_str().unwrap();
    let args = ["--invoke", "run_n", module, "300"];
    let shards: Vec<_> = (0..3)
        .map(|index| {
            Command::new(root().join("deploy/run-shard.sh"))
                .args([index.to_string(), "3".to_owned()])
                .args(args)
                .env("WASMREL", wasmrel)
                .env("OUT", &work)
                .env("FAULTS", "45")
                .env("SEED", "9")
                .env("JOBS", "1")
                .spawn()
                .unwrap()
        })
        .collect();
    for mut shard in shards {
        assert!(shard.wait().unwrap().success());
    }
    let merged = work.join("merged");
    let status = Command::new(wasmrel)
        .args(["merge", "--out", merged.to_str().unwrap()])
        .args((0..3).map(|i| work.join(format!("shard-{i}"))))
        .status()
        .unwrap();
    assert!(status.success());
    let whole = work.join("whole");
    let status = Command::new(wasmrel)
        .args([
            "inject", "--quiet", "--faults", "45", "--seed", "9", "--jobs", "2", "--out",
        ])
        .arg(&whole)
        .args(args)
        .status()
        .unwrap();
    assert!(status.success());
    let merged_lines = sorted_lines(&merged);
    assert_eq!(merged_lines.len(), 45);
    assert_eq!(merged_lines, sorted_lines(&whole));

    // A report over both directories is written.
    let report = work.join("report");
    let status = Command::new(wasmrel)
        .args(["report", "--out", report.to_str().unwrap()])
        .arg(&merged)
        .status()
        .unwrap();
    assert!(status.success());
    for file in [
        "report.md",
        "report.html",
        "report.json",
        "campaigns.csv",
        "classes.csv",
        "outcomes.svg",
    ] {
        assert!(report.join(file).exists(), "{file}");
    }

    // Bad input: a shard 3/2, a directory of another seed; existing results untouched.
    let output = Command::new(wasmrel)
        .args(["inject", "--shard", "3/2", "--out"])
        .arg(&whole)
        .args(args)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(126));
    assert!(String::from_utf8_lossy(&output.stderr).contains("below the count"));
    let before = std::fs::read(whole.join("results.jsonl")).unwrap();
    let output = Command::new(wasmrel)
        .args([
            "inject", "--quiet", "--faults", "45", "--seed", "10", "--out",
        ])
        .arg(&whole)
        .args(args)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(126));
    assert!(String::from_utf8_lossy(&output.stderr).contains("seed 9, not 10"));
    assert_eq!(std::fs::read(whole.join("results.jsonl")).unwrap(), before);
}
