//! `selftest --speed CASES_DIR`: the same benchmark programs in the kernel and in user space
//! (the static `wasmrel` CLI at /bin/wasmrel) inside the same guest, median of three runs
//! each. `speed.txt` lists `NAME MODULE SIZE`. Prints one line per program; fails if the two
//! disagree on the output.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use wasmrel_kmod_client::{Mode, Request};

use crate::cases::invoke_with;

const RUNS: usize = 3;

/// Runs the comparison; returns whether every program produced the same output twice.
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
        for mode in [Mode::Plain, Mode::Encoded] {
            match compare_one(dir, module, size, mode) {
                Ok((kernel, user)) => println!(
                    "speed {name} {size} {mode:?}: kernel {} ms, user space {} ms, kernel/user {:.2}",
                    kernel.as_millis(),
                    user.as_millis(),
                    kernel.as_secs_f64() / user.as_secs_f64()
                ),
                Err(why) => {
                    all_same = false;
                    println!("speed {name} {size} {mode:?}: FAIL {why}");
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

fn compare_one(
    dir: &Path,
    module: &str,
    size: &str,
    mode: Mode,
) -> Result<(Duration, Duration), String> {
    let path = dir.join(module);
    let bytes = std::fs::read(&path).map_err(|err| format!("{module}: {err}"))?;
    let mut kernel_times = Vec::new();
    let mut user_times = Vec::new();
    let mut outputs = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let reply = invoke_with(Request {
            module: &bytes,
            mode,
            args: vec![module.as_bytes().to_vec(), size.as_bytes().to_vec()],
            ..Request::default()
        })?;
        kernel_times.push(started.elapsed());
        outputs.push(reply.stdout);

        let mut command = Command::new("/bin/wasmrel");
        command.arg("run");
        if mode == Mode::Encoded {
            command.arg("--encoded");
        }
        let started = Instant::now();
        let output = command
            .arg(&path)
            .arg(size)
            .output()
            .map_err(|err| format!("/bin/wasmrel: {err}"))?;
        user_times.push(started.elapsed());
        outputs.push(output.stdout);
    }
    if outputs.windows(2).any(|pair| pair[0] != pair[1]) {
        return Err(format!(
            "outputs differ: {:?}",
            String::from_utf8_lossy(&outputs[0])
        ));
    }
    Ok((median(kernel_times), median(user_times)))
}
