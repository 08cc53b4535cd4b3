//! `selftest --speed CASES_DIR`: the same benchmark programs run by the same static `wasmrel`
//! CLI (/bin/wasmrel) in the same guest, with and without `--kernel`, interleaved, median of
//! five runs each. Both sides pay the same process start and module read; the kernel side
//! adds the copy into the kernel. `speed.txt` lists `NAME MODULE SIZE`. Prints one line per
//! program and mode; fails if the two disagree on the output.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 5;
const WASMREL: &str = "/bin/wasmrel";

/// Runs the comparison; returns whether every program produced the same output each time.
pub fn compare(dir: &Path) -> bool {
    let list = match std::fs::read_to_string(dir.join("speed.txt")) {
        Ok(list) => list,
        Err(err) => {
            println!("speed: speed.txt: {err}");
            return false;
        }
    };
    let mut all_same = true;
    for line in list.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [name, module, size] = words[..] else {
            continue;
        };
        for mode in [None, Some("--encoded")] {
            let label = mode.unwrap_or("plain");
            match compare_one(dir, module, size, mode) {
                Ok((kernel, user)) => println!(
                    "speed {name} {size} {label}: kernel {} ms, user space {} ms, kernel/user {:.2}",
                    kernel.as_millis(),
                    user.as_millis(),
                    kernel.as_secs_f64() / user.as_secs_f64()
                ),
                Err(why) => {
                    all_same = false;
                    println!("speed {name} {size} {label}: FAIL {why}");
                }
            }
        }
    }
    all_same
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// One timed run of the CLI; returns its time and stdout.
fn timed(args: &[&str]) -> Result<(Duration, Vec<u8>), String> {
    let started = Instant::now();
    let output = Command::new(WASMREL)
        .args(args)
        .output()
        .map_err(|err| format!("{WASMREL}: {err}"))?;
    let elapsed = started.elapsed();
    if !output.status.success() {
        return Err(format!(
            "{args:?}: {:?} {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok((elapsed, output.stdout))
}

fn compare_one(
    dir: &Path,
    module: &str,
    size: &str,
    mode: Option<&str>,
) -> Result<(Duration, Duration), String> {
    let path = dir.join(module);
    let path = path.to_str().ok_or("a non-UTF-8 path")?;
    let user_args: Vec<&str> = ["run"]
        .into_iter()
        .chain(mode)
        .chain([path, size])
        .collect();
    let kernel_args: Vec<&str> = ["run", "--kernel"]
        .into_iter()
        .chain(mode)
        .chain([path, size])
        .collect();
    let (mut kernel_times, mut user_times, mut outputs) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let (time, stdout) = timed(&kernel_args)?;
        kernel_times.push(time);
        outputs.push(stdout);
        let (time, stdout) = timed(&user_args)?;
        user_times.push(time);
        outputs.push(stdout);
    }
    if outputs.windows(2).any(|pair| pair[0] != pair[1]) {
        return Err(format!(
            "outputs differ: {:?}",
            String::from_utf8_lossy(&outputs[0])
        ));
    }
    Ok((median(kernel_times), median(user_times)))
}
