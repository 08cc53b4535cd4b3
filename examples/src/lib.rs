//! Harness for the end-to-end tests of `tests/examples.rs`: reads a case
//! manifest (`examples/cases.txt`, `benches/programs/cases.txt`), runs each
//! case through the `wasmrel` binary and compares what it did with the files
//! `examples/reference.py` recorded under another runtime.
//!
//! The binary is built by a nested `cargo build -p wasmrel-cli` into the same
//! target directory and profile as the test itself, so the test always runs
//! the current CLI (cargo has released its build lock by the time tests run).

use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use std::{fs, thread};

/// One line of a manifest: an id and the words that follow `wasmrel run`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub id: String,
    pub args: Vec<String>,
}

/// Parses a manifest: `ID ARGS...` per line, `#` comments and blank lines
/// skipped. A line with an id but no arguments is an error naming the line.
pub fn parse_manifest(text: &str) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let mut words = line.split_whitespace();
        let Some(id) = words.next().filter(|w| !w.starts_with('#')) else {
            continue;
        };
        let args: Vec<String> = words.map(str::to_owned).collect();
        if args.is_empty() {
            return Err(format!("line {}: case {id} has no arguments", index + 1));
        }
        cases.push(Case {
            id: id.to_owned(),
            args,
        });
    }
    Ok(cases)
}

/// The repository root (the parent of this package's directory).
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the examples package sits inside the repository")
}

/// Reads the manifest at `relative` (to the repository root) with the
/// directory holding its `expected/` files.
pub fn load_manifest(relative: &str) -> (Vec<Case>, PathBuf) {
    let path = repo_root().join(relative);
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let cases = parse_manifest(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let expected = path
        .parent()
        .expect("a manifest has a directory")
        .join("expected");
    (cases, expected)
}

/// The `wasmrel` binary under test: `$WASMREL_BINARY` if set (to check an
/// installed or differently built binary), else the current CLI built once
/// per test process.
pub fn wasmrel_binary() -> &'static Path {
    static BINARY: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let binary = BINARY.get_or_init(|| match std::env::var_os("WASMREL_BINARY") {
        Some(path) => Ok(PathBuf::from(path)),
        None => build_wasmrel(),
    });
    match binary {
        Ok(path) => path,
        Err(message) => panic!("{message}"),
    }
}

fn build_wasmrel() -> Result<PathBuf, String> {
    // The test executable is TARGET/PROFILE/deps/NAME; build into TARGET with
    // the matching profile so an ordinary `cargo test` reuses what it built.
    let exe = std::env::current_exe().expect("the test knows its own path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executables live in TARGET/PROFILE/deps");
    let target_dir = profile_dir
        .parent()
        .expect("a profile directory has a parent");
    let profile = profile_dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("debug");
    let mut cargo = Command::new(env!("CARGO"));
    cargo
        .args(["build", "--quiet", "-p", "wasmrel-cli", "--bin", "wasmrel"])
        .arg("--target-dir")
        .arg(target_dir)
        .current_dir(repo_root());
    match profile {
        "debug" => {}
        "release" => {
            cargo.arg("--release");
        }
        other => {
            cargo.args(["--profile", other]);
        }
    }
    let output = cargo
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo build -p wasmrel-cli failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let binary = profile_dir.join(format!("wasmrel{}", std::env::consts::EXE_SUFFIX));
    if !binary.is_file() {
        return Err(format!("cargo built no {}", binary.display()));
    }
    Ok(binary)
}

/// What one run did.
#[derive(Debug)]
pub struct Observed {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// The exit code, or `None` if the process was killed (timeout, signal).
    pub status: Option<i32>,
    pub out_files: Vec<(String, Vec<u8>)>,
}

/// Runs one case from the repository root with stdin empty, `{out}` replaced
/// by a fresh scratch directory, and the process killed after `timeout`.
pub fn run_case(binary: &Path, case: &Case, timeout: Duration) -> Observed {
    // Unique per run: the same case may run concurrently in several modes.
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, Ordering::Relaxed);
    let scratch = std::env::temp_dir().join(format!(
        "wasmrel-examples-{}-{run}-{}",
        std::process::id(),
        case.id
    ));
    let out_dir = scratch.join("out");
    let _ = fs::remove_dir_all(&scratch);
    fs::create_dir_all(&out_dir).expect("scratch directory can be created");
    let out_text = out_dir.to_str().expect("scratch paths are UTF-8");
    let args: Vec<String> = case
        .args
        .iter()
        .map(|a| a.replace("{out}", out_text))
        .collect();

    let child = Command::new(binary)
        .arg("run")
        .args(&args)
        .current_dir(repo_root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("wasmrel starts");
    let (stdout, stderr, status) = wait_with_timeout(child, timeout);
    let out_files = read_files(&out_dir);
    let _ = fs::remove_dir_all(&scratch);
    Observed {
        stdout,
        stderr,
        status,
        out_files,
    }
}

fn wait_with_timeout(mut child: Child, timeout: Duration) -> (Vec<u8>, Vec<u8>, Option<i32>) {
    // Drain both pipes on threads so a chatty child never blocks on a full pipe.
    let mut stdout_pipe = child.stdout.take().expect("stdout is piped");
    let mut stderr_pipe = child.stderr.take().expect("stderr is piped");
    let stdout = thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout_pipe.read_to_end(&mut bytes);
        bytes
    });
    let stderr = thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stderr_pipe.read_to_end(&mut bytes);
        bytes
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait().expect("waiting on wasmrel works") {
            Some(status) => break status.code(),
            None if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            None => thread::sleep(Duration::from_millis(5)),
        }
    };
    let stdout = stdout.join().expect("stdout reader does not panic");
    let stderr = stderr.join().expect("stderr reader does not panic");
    (stdout, stderr, status)
}

/// The regular files below `dir` (recursively) as (path relative to `dir`,
/// contents), sorted by path; directories show through their files.
fn read_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    collect_files(dir, "", &mut files);
    files.sort();
    files
}

fn collect_files(dir: &Path, prefix: &str, files: &mut Vec<(String, Vec<u8>)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, &format!("{name}/"), files);
        } else if path.is_file() {
            files.push((name, fs::read(&path).unwrap_or_default()));
        }
    }
}

/// Compares a run with the recorded files `expected/ID.*`; returns a
/// readable account of every difference, or `None` if there is none.
pub fn compare(case: &Case, expected_dir: &Path, observed: &Observed) -> Option<String> {
    let read = |suffix: &str| {
        let path = expected_dir.join(format!("{}.{suffix}", case.id));
        fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    };
    let mut report = String::new();
    let status_text = String::from_utf8_lossy(&read("status")).trim().to_owned();
    let expected_status: i32 = status_text
        .parse()
        .unwrap_or_else(|_| panic!("expected/{}.status holds {status_text:?}", case.id));
    if observed.status != Some(expected_status) {
        let got = observed.status.map_or_else(
            || "killed (timeout or signal)".to_owned(),
            |c| c.to_string(),
        );
        let _ = writeln!(report, "  exit code: expected {expected_status}, got {got}");
    }
    for (stream, got) in [("stdout", &observed.stdout), ("stderr", &observed.stderr)] {
        let want = read(stream);
        if &want != got {
            let _ = writeln!(
                report,
                "  {stream} differs\n    expected: {:?}\n    got:      {:?}",
                String::from_utf8_lossy(&want),
                String::from_utf8_lossy(got)
            );
        }
    }
    let expected_files = read_files(&expected_dir.join(format!("{}.files", case.id)));
    if expected_files != observed.out_files {
        let names = |files: &[(String, Vec<u8>)]| {
            files
                .iter()
                .map(|(n, b)| format!("{n} ({} bytes)", b.len()))
                .collect::<Vec<_>>()
        };
        let _ = writeln!(
            report,
            "  files written differ: expected {:?}, got {:?}",
            names(&expected_files),
            names(&observed.out_files)
        );
    }
    (!report.is_empty()).then(|| {
        format!(
            "case {} (wasmrel run {}):\n{report}",
            case.id,
            case.args.join(" ")
        )
    })
}

/// Runs the cases of a manifest that `select` accepts with `mode` (e.g.
/// `--encoded`, or nothing for plain) put before each case's arguments, on as
/// many threads as there are cores, and panics with every difference at once,
/// so one run shows all that is wrong. Every mode must reproduce the same
/// recorded outputs byte for byte.
pub fn check_manifest_in_mode(
    relative: &str,
    mode: &[&str],
    select: impl Fn(&Case) -> bool,
    timeout: Duration,
) {
    let (cases, expected_dir) = load_manifest(relative);
    let selected: Vec<Case> = cases
        .into_iter()
        .filter(|c| select(c))
        .map(|case| Case {
            args: mode
                .iter()
                .map(|&word| word.to_owned())
                .chain(case.args)
                .collect(),
            ..case
        })
        .collect();
    assert!(!selected.is_empty(), "{relative} selects no cases");
    let binary = wasmrel_binary(); // built once, before the workers start
    let next = AtomicUsize::new(0);
    let workers = thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(selected.len());
    let mut failures: Vec<(usize, String)> = thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut found = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(case) = selected.get(index) else {
                            return found;
                        };
                        let observed = run_case(binary, case, timeout);
                        if let Some(report) = compare(case, &expected_dir, &observed) {
                            found.push((index, report));
                        }
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a case worker does not panic"))
            .collect()
    });
    failures.sort();
    assert!(
        failures.is_empty(),
        "{} of {} cases in {relative} differ from the reference:\n{}",
        failures.len(),
        selected.len(),
        failures
            .into_iter()
            .map(|(_, report)| report)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_lines_become_cases() {
        let text = "# comment\n\nhello  examples/hello.wasm\nfib --invoke fib x.wasm 3\n";
        let cases = parse_manifest(text).unwrap();
        assert_eq!(
            cases,
            vec![
                Case {
                    id: "hello".into(),
                    args: vec!["examples/hello.wasm".into()]
                },
                Case {
                    id: "fib".into(),
                    args: ["--invoke", "fib", "x.wasm", "3"]
                        .map(String::from)
                        .to_vec()
                },
            ]
        );
    }

    #[test]
    fn a_case_without_arguments_is_an_error() {
        assert_eq!(
            parse_manifest("a b\nlonely\n"),
            Err("line 2: case lonely has no arguments".into())
        );
    }

    /// examples/README.md shows each example's command with the output the
    /// reference recorded, so the README cannot drift from what is tested.
    #[test]
    fn readme_shows_every_example_with_its_recorded_output() {
        let readme = fs::read_to_string(repo_root().join("examples/README.md")).unwrap();
        let (cases, expected) = load_manifest("examples/cases.txt");
        for case in &cases {
            let stdout = fs::read_to_string(expected.join(format!("{}.stdout", case.id))).unwrap();
            let shown = format!(
                "$ wasmrel run {}\n{stdout}",
                case.args.join(" ").replace("{out}", "$OUT")
            );
            assert!(
                readme.contains(&shown),
                "examples/README.md lacks:\n{shown}"
            );
        }
    }

    #[test]
    fn committed_manifests_have_unique_ids_and_recorded_outputs() {
        for manifest in ["examples/cases.txt", "benches/programs/cases.txt"] {
            let (cases, expected) = load_manifest(manifest);
            let mut ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), cases.len(), "{manifest} repeats an id");
            for case in &cases {
                for suffix in ["stdout", "stderr", "status"] {
                    let path = expected.join(format!("{}.{suffix}", case.id));
                    assert!(
                        path.is_file(),
                        "{} is missing: rerun reference.py",
                        path.display()
                    );
                }
            }
        }
    }
}
