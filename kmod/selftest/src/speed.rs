//! `selftest --speed CASES_DIR`: the same benchmark programs run by the same static `wasmrel`
//! CLI (/bin/wasmrel) in the same guest, with and without `--kernel`, plain and encoded.
//! Both sides pay the same process start and module read; the kernel side adds the copy into
//! the kernel. The host's load drifts over a run of minutes, so the runs come in adjacent
//! pairs (kernel and user space, the order alternating) and the figure is the median of the
//! pairs' ratios, over [`RUNS`] pairs; the medians of the times and the
//! smallest and largest ratio (the spread) are printed too.
//! `speed.txt` lists `NAME MODULE SIZE`. Prints one line per program and mode; fails if the
//! two disagree on the output.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 7;
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
                Ok(Timing {
                    kernel,
                    user,
                    ratio,
                    lowest,
                    highest,
                }) => println!(
                    "speed {name} {size} {label}: kernel {} ms, user space {} ms, kernel/user {ratio:.2} (pairs {lowest:.2}-{highest:.2})",
                    kernel.as_millis(),
                    user.as_millis(),
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

fn median<T: PartialOrd + Copy>(mut values: Vec<T>) -> T {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    values[values.len() / 2]
}

/// Medians of one program's runs.
struct Timing {
    kernel: Duration,
    user: Duration,
    /// The median of the pairs' kernel/user-space ratios.
    ratio: f64,
    /// The smallest and the largest of those ratios (the spread within one boot).
    lowest: f64,
    highest: f64,
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

fn compare_one(dir: &Path, module: &str, size: &str, mode: Option<&str>) -> Result<Timing, String> {
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
    for pair in 0..RUNS {
        // Alternate which side goes first, so neither always runs on a warmer cache.
        let kernel_first = pair % 2 == 0;
        let mut sides = [(&kernel_args, true), (&user_args, false)];
        if !kernel_first {
            sides.reverse();
        }
        for (args, in_kernel) in sides {
            let (time, stdout) = timed(args)?;
            outputs.push(stdout);
            if in_kernel {
                kernel_times.push(time);
            } else {
                user_times.push(time);
            }
        }
    }
    if outputs.windows(2).any(|pair| pair[0] != pair[1]) {
        return Err(format!(
            "outputs differ: {:?}",
            String::from_utf8_lossy(&outputs[0])
        ));
    }
    let ratios: Vec<f64> = kernel_times
        .iter()
        .zip(&user_times)
        .map(|(kernel, user)| kernel.as_secs_f64() / user.as_secs_f64())
        .collect();
    Ok(Timing {
        lowest: ratios.iter().copied().fold(f64::INFINITY, f64::min),
        highest: ratios.iter().copied().fold(0.0, f64::max),
        ratio: median(ratios),
        kernel: median(kernel_times),
        user: median(user_times),
    })
}
