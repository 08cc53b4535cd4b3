//! rust-find: prints every line containing WORD in the files of DIR, sorted
//! by file name, as `file:line: text`, then a summary line.
//!
//! ```text
//! rust-find WORD DIR
//! ```
//!
//! With `IGNORE_CASE=1` in the environment the match ignores ASCII case.
//! Exit code: 0 when something matched, 1 when nothing did, 2 on bad usage or
//! an unreadable directory or file — the `grep` convention. It exercises
//! std's args, environment, directory listing and file reading on WASI.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [word, dir] = args.as_slice() else {
        eprintln!("usage: rust-find WORD DIR");
        return ExitCode::from(2);
    };
    let ignore_case = std::env::var("IGNORE_CASE").is_ok_and(|v| v == "1");
    match search(word, Path::new(dir), ignore_case) {
        Ok(0) => {
            println!("no match for {word:?}");
            ExitCode::from(1)
        }
        Ok(count) => {
            println!("{count} matching lines");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("rust-find: {message}");
            ExitCode::from(2)
        }
    }
}

/// Prints the matching lines of every regular file in `dir` and returns how
/// many there were. Files are visited in name order so the output does not
/// depend on the order the host lists the directory in.
fn search(word: &str, dir: &Path, ignore_case: bool) -> Result<usize, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        let is_file = entry.file_type().map(|t| t.is_file()).unwrap_or(false);
        if is_file {
            files.push(entry.path());
        }
    }
    files.sort();
    let needle = normalize(word, ignore_case);
    let mut count = 0;
    for file in &files {
        let text =
            fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        for (number, line) in text.lines().enumerate() {
            if normalize(line, ignore_case).contains(&needle) {
                println!("{}:{}: {line}", file.display(), number + 1);
                count += 1;
            }
        }
    }
    Ok(count)
}

fn normalize(text: &str, ignore_case: bool) -> String {
    if ignore_case {
        text.to_ascii_lowercase()
    } else {
        text.to_owned()
    }
}
