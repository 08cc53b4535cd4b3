//! `wasmrel inject` and `wasmrel report` on campaign directories: resuming and replaying
//! with the campaign's recorded options, from any path to the module.

mod common;

use std::process::{Command, Output};

use common::{code, stderr, stdout, wasmrel, TempDir};

/// A loop of about 2000 instructions whose result depends on a global.
const LOOP: &str = r#"(module
  (global $g (mut i32) (i32.const 0))
  (func (export "run") (param $n i32) (result i32) (local $y i32)
    i32.const 1000 global.set $g
    (block (loop
      local.get $y local.get $n i32.add local.set $y
      local.get $n i32.const 1 i32.sub local.tee $n
      br_if 0))
    local.get $y global.get $g i32.add))"#;

/// `wasmrel inject --quiet --jobs 1 --out DIR OPTIONS --invoke run MODULE 200`, run in `cwd`.
fn inject(cwd: &std::path::Path, dir: &str, options: &[&str], module: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasmrel"))
        .current_dir(cwd)
        .args(["inject", "--quiet", "--jobs", "1", "--out", dir])
        .args(options)
        .args(["--invoke", "run", module, "200"])
        .env_clear()
        .output()
        .unwrap()
}

/// A campaign of 30 faults (seed 7, encoded, check level op) with 5 done, in `camp`.
fn unfinished(work: &TempDir) {
    work.write("loop.wat", LOOP);
    let options = [
        "--faults",
        "30",
        "--seed",
        "7",
        "--mode",
        "encoded",
        "--check",
        "op",
        "--stop-after",
        "5",
    ];
    let out = inject(work.path(), "camp", &options, "loop.wat");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn replay_takes_the_campaigns_recorded_options() {
    let work = TempDir::new();
    unfinished(&work);
    let replay = |options: &[&str]| inject(work.path(), "camp", options, "loop.wat");
    let out = replay(&["--replay", "25"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("injection 25: class "),
        "{}",
        stdout(&out)
    );
    // A recorded id replays to its recorded outcome: the recorded seed and mode were used.
    let results = std::fs::read_to_string(work.path().join("camp/results.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(results.lines().next().unwrap()).unwrap();
    let id = first["id"].to_string();
    let out = replay(&["--replay", &id]);
    assert!(
        stdout(&out).contains("matches the recorded result"),
        "{}",
        stdout(&out)
    );
    // Options given alike are accepted; the id range is the campaign's.
    let out = replay(&["--replay", "3", "--faults", "30", "--mode", "encoded"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = replay(&["--replay", "30"]);
    assert_eq!(code(&out), 126);
    assert!(
        stderr(&out).contains("--replay 30: the campaign has ids 0..30"),
        "{}",
        stderr(&out)
    );
    // Only an option given otherwise is refused, named with both values.
    for (option, value, message) in [
        ("--faults", "10", "(faults 30, not 10)"),
        ("--seed", "8", "(seed 7, not 8)"),
        ("--check", "effects", "(check level op, not effects)"),
        ("--bits", "2", "(bits 1, not 2)"),
    ] {
        let out = replay(&["--replay", "3", option, value]);
        assert_eq!(code(&out), 126, "{option}");
        assert!(stderr(&out).contains(message), "{option}: {}", stderr(&out));
    }
    let out = replay(&["--replay", "3", "--mode", "plain"]);
    assert!(
        stderr(&out).contains("mode encoded, not plain"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_campaign_resumes_through_any_path_to_the_same_module() {
    let work = TempDir::new();
    unfinished(&work);
    let camp = work.path().join("camp");
    let camp = camp.to_str().unwrap();
    let absolute = work.path().join("loop.wat");
    // Another spelling, from another working directory, without repeating the options.
    let out = inject(
        std::path::Path::new("/"),
        camp,
        &["--stop-after", "5"],
        absolute.to_str().unwrap(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("5 done, 25 to run"),
        "{}",
        stderr(&out)
    );
    let out = inject(work.path(), "camp", &[], "./loop.wat");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("10 done, 20 to run"),
        "{}",
        stderr(&out)
    );
    let results = std::fs::read_to_string(work.path().join("camp/results.jsonl")).unwrap();
    assert_eq!(results.lines().count(), 30);

    // Other bytes are another module: the message names both paths.
    work.write("other.wat", LOOP.replace("1000", "999"));
    let out = inject(work.path(), "camp", &[], "other.wat");
    assert_eq!(code(&out), 126);
    let message = stderr(&out);
    assert!(
        message.contains("holds another campaign (module loop.wat (sha256 ")
            && message.contains("not other.wat (sha256 ")
            && message.contains("the bytes differ"),
        "{message}"
    );
    assert!(
        !message.contains("Some(") && !message.contains("[]"),
        "{message}"
    );
}

#[test]
fn report_warns_of_an_unfinished_campaign_and_a_directory_given_twice() {
    let work = TempDir::new();
    unfinished(&work);
    let camp = work.path().join("camp");
    let report = work.path().join("report");
    let out = wasmrel([
        "report".as_ref(),
        "--out".as_ref(),
        report.as_os_str(),
        camp.as_os_str(),
        camp.join(".").as_os_str(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let message = stderr(&out);
    assert!(
        message.contains(
            "wasmrel: warning: campaign camp (loop.wat:run 200 encoded (op)) is incomplete: 5 of 30 planned faults done"
        ),
        "{message}"
    );
    assert!(
        message.contains("was given more than once; counted once"),
        "{message}"
    );
    let markdown = std::fs::read_to_string(report.join("report.md")).unwrap();
    assert!(
        markdown.contains("5 of 30 planned faults done"),
        "{markdown}"
    );
}

#[test]
fn a_campaign_file_without_the_later_fields_resumes_and_replays_without_options() {
    let work = TempDir::new();
    unfinished(&work);
    // As recorded before memory protection and sampling existed (a campaign recorded
    // before fault-model versions is refused: its branch faults were others).
    let meta = work.path().join("camp/campaign.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta).unwrap()).unwrap();
    for field in ["memory_protection", "sampling"] {
        assert!(
            json.as_object_mut().unwrap().remove(field).is_some(),
            "{field}"
        );
    }
    std::fs::write(&meta, json.to_string()).unwrap();
    let out = inject(work.path(), "camp", &["--replay", "29"], "loop.wat");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = inject(work.path(), "camp", &[], "loop.wat");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("5 done, 25 to run"),
        "{}",
        stderr(&out)
    );
}
