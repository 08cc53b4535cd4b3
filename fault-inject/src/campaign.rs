//! A campaign directory: `campaign.json` (what was run and how) and an append-only
//! `results.jsonl` (one line per injection). Resuming skips the ids already recorded, so a
//! killed campaign loses at most the line being written and counts nothing twice.

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::app::{App, Check, MemoryProtection, Mode, Second};
use crate::fault::{Class, Fault, Sampling, FAULT_MODEL};
use crate::golden::{inject, Golden, GoldenSummary, Record};

/// Shard `index` of `count`: the ids `id` with `id % count == index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Parses `i/N` (0-based `i < N`).
    pub fn parse(text: &str) -> Result<Shard, String> {
        let (index, count) = text
            .split_once('/')
            .ok_or_else(|| format!("shard `{text}`: expected i/N, e.g. 0/4"))?;
        let index: u64 = index
            .trim()
            .parse()
            .map_err(|_| format!("shard `{text}`: `{index}` is not a number"))?;
        let count: u64 = count
            .trim()
            .parse()
            .map_err(|_| format!("shard `{text}`: `{count}` is not a number"))?;
        if count == 0 || index >= count {
            return Err(format!(
                "shard `{text}`: the index must be below the count (0-based: 0/{count} .. {}/{count})",
                count.saturating_sub(1)
            ));
        }
        Ok(Shard { index, count })
    }

    pub fn contains(self, id: u64) -> bool {
        id % self.count == self.index
    }
}

/// Everything that defines a campaign; a directory is resumed only with an equal spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spec {
    pub tool: String,
    pub tool_version: String,
    pub app: String,
    pub app_sha256: String,
    pub args: Vec<String>,
    /// Guest environment variables, `NAME=VALUE`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    pub invoke: Option<String>,
    /// Granted directories, `HOST::GUEST`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dirs: Vec<String>,
    pub mode: Mode,
    /// The check level of an encoded campaign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<Check>,
    /// The memory protection of an encoded campaign (absent in campaigns recorded before
    /// the option existed, which all ran with crc).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_protection: Option<MemoryProtection>,
    /// The second replica of a dual campaign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<Second>,
    pub seed: u64,
    pub faults: u64,
    pub bits: u32,
    pub hang_factor: u64,
    pub classes: Vec<Class>,
    /// How injections are spread over the classes (older campaigns: equal).
    #[serde(default)]
    pub sampling: Sampling,
    /// Bits of one slot in this mode (64 plain and dual, 128 encoded).
    pub slot_bits: u32,
    pub golden: GoldenSummary,
    /// The fault-model version the faults were drawn and applied under
    /// ([`FAULT_MODEL`]; 1 in campaigns recorded before the field existed).
    #[serde(default = "first_model")]
    pub fault_model: u32,
}

fn first_model() -> u32 {
    1
}

impl Spec {
    /// The memory protection of an encoded campaign, crc for one recorded before the option
    /// existed (all ran with crc); `None` for other modes.
    pub fn memory(&self) -> Option<MemoryProtection> {
        (self.mode == Mode::Encoded).then(|| self.memory_protection.unwrap_or_default())
    }

    /// The fault-model version of this campaign's classes: the latest change to any of
    /// them at or before its version. Campaigns recorded at different versions sample the
    /// same faults where this agrees (a memory-only campaign is the same at 1 and 2).
    pub fn classes_model(&self) -> u32 {
        self.classes
            .iter()
            .map(|c| c.model(self.fault_model))
            .max()
            .unwrap_or(1)
    }
}

/// `campaign.json`: the spec and this directory's shard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignFile {
    #[serde(flatten)]
    pub spec: Spec,
    pub shard: Shard,
}

impl CampaignFile {
    /// Whether `other` is the same campaign: see [`differences`].
    pub fn same_campaign(&self, other: &CampaignFile) -> bool {
        differences(self, other).is_empty()
    }

    /// How many ids this directory's shard holds of the campaign's faults.
    pub fn planned(&self) -> u64 {
        let Shard { index, count } = self.shard;
        match self.spec.faults.checked_sub(index) {
            Some(after) if after > 0 => (after - 1) / count + 1,
            _ => 0,
        }
    }

    /// This campaign with `faults` injections: ids derive from `(seed, id)` alone, so a
    /// campaign grows by running the new ids, and its results so far stay valid.
    pub fn with_faults(&self, faults: u64) -> CampaignFile {
        let mut grown = self.clone();
        grown.spec.faults = faults;
        grown
    }
}

/// How to run a campaign.
#[derive(Debug, Clone)]
pub struct CampaignOptions {
    pub mode: Mode,
    pub faults: u64,
    pub seed: u64,
    pub bits: u32,
    pub hang_factor: u64,
    pub sampling: Sampling,
    pub jobs: usize,
    pub shard: Shard,
    pub progress: bool,
    /// Stop after writing this many results (a deterministic stand-in for Ctrl-C in tests).
    pub stop_after: Option<u64>,
    /// Checkpoints of the golden run to restart injected runs from (0: every injected run
    /// starts from the beginning and runs to its end). Outcomes do not depend on it.
    pub checkpoints: u64,
}

/// An open campaign: the app, its golden run and the directory.
pub struct Campaign {
    pub app: App,
    pub golden: Golden,
    pub file: CampaignFile,
    pub dir: PathBuf,
    pub done: BTreeSet<u64>,
    /// Of the last [`Campaign::run`]'s injections: how many restarted from a checkpoint and
    /// how many ended early at one.
    pub restarted: u64,
    pub ended_early: u64,
}

pub const RESULTS: &str = "results.jsonl";
pub const CAMPAIGN: &str = "campaign.json";

/// The spec of `app` under `options` after its golden run.
pub fn spec(app: &App, golden: &Golden, options: &CampaignOptions) -> Spec {
    Spec {
        tool: "wasmrel".to_owned(),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        app: app.name.clone(),
        app_sha256: app.sha256(),
        args: app.guest_args.clone(),
        env: app.envs.iter().map(|(n, v)| format!("{n}={v}")).collect(),
        invoke: app.invoke.as_ref().map(|(name, _)| name.clone()),
        dirs: app
            .dirs
            .iter()
            .map(|(host, guest)| format!("{}::{guest}", host.display()))
            .collect(),
        mode: options.mode,
        check: (options.mode == Mode::Encoded).then_some(app.check),
        memory_protection: (options.mode == Mode::Encoded)
            .then(|| MemoryProtection::of(&app.config)),
        replicas: (options.mode == Mode::Dual).then_some(app.second),
        seed: options.seed,
        faults: options.faults,
        bits: options.bits,
        hang_factor: options.hang_factor,
        classes: match options.sampling {
            Sampling::Class(class) => vec![class],
            _ => Class::for_mode(options.mode),
        },
        sampling: options.sampling,
        slot_bits: if options.mode == Mode::Encoded {
            128
        } else {
            64
        },
        golden: golden.summary(),
        fault_model: FAULT_MODEL,
    }
}

/// The fault `id` of the campaign `spec`: it derives from the spec (seed, sampling,
/// classes, golden length, bits) and the id alone.
pub fn fault_of(spec: &Spec, id: u64) -> Fault {
    let (length, bits) = (spec.golden.length, spec.bits);
    match spec.sampling {
        Sampling::Equal => Fault::derive(spec.seed, id, &spec.classes, length, bits),
        Sampling::FaultSpace => {
            let second = spec.replicas.unwrap_or_default();
            let weights: Vec<u32> = spec
                .classes
                .iter()
                .map(|c| c.bits(spec.mode, second))
                .collect();
            Fault::derive_weighted(spec.seed, id, &spec.classes, &weights, length, bits)
        }
        Sampling::Class(class) => Fault::derive_in(spec.seed, id, class, length, bits),
    }
}

impl Campaign {
    /// Creates `dir` or reopens it for resuming; refuses a directory of another campaign.
    pub fn open(app: App, options: &CampaignOptions, dir: &Path) -> Result<Campaign, String> {
        if !(1..=8).contains(&options.bits) {
            return Err(format!("--bits {}: choose 1 to 8", options.bits));
        }
        if options.hang_factor < 2 {
            return Err(format!(
                "--hang-factor {}: must be at least 2",
                options.hang_factor
            ));
        }
        if let Sampling::Class(class) = options.sampling {
            if !Class::for_mode(options.mode).contains(&class) {
                return Err(format!(
                    "--sampling class:{}: a {} campaign has no such class",
                    class.as_str(),
                    options.mode.as_str()
                ));
            }
        }
        let golden = Golden::record(&app, options.mode, options.checkpoints)?;
        let file = CampaignFile {
            spec: spec(&app, &golden, options),
            shard: options.shard,
        };
        let meta = dir.join(CAMPAIGN);
        let mut file = file;
        let done = if meta.exists() {
            let existing = read_campaign(dir)?;
            let faults = file.spec.faults;
            let grows =
                faults > existing.spec.faults && existing.with_faults(faults).same_campaign(&file);
            if !grows && !existing.same_campaign(&file) {
                return Err(format!(
                    "{}: holds another campaign ({}); use a new --out directory",
                    dir.display(),
                    differences(&existing, &file).join("; ")
                ));
            }
            if grows {
                // The recorded golden run stays the campaign's (its time defines the space).
                file = existing.with_faults(faults);
                write_campaign(dir, &file)?;
            }
            read_results(dir, true)?;
            done_ids(dir, &file)?
        } else {
            if dir.exists() && fs::read_dir(dir).map_err(|e| io(dir, e))?.next().is_some() {
                return Err(format!(
                    "{}: exists, is not empty and has no {CAMPAIGN}; use a new --out directory",
                    dir.display()
                ));
            }
            fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
            write_campaign(dir, &file)?;
            BTreeSet::new()
        };
        Ok(Campaign {
            app,
            golden,
            file,
            dir: dir.to_owned(),
            done,
            restarted: 0,
            ended_early: 0,
        })
    }

    /// The ids of this shard not yet recorded.
    pub fn pending(&self) -> Vec<u64> {
        let shard = self.file.shard;
        (0..self.file.spec.faults)
            .filter(|id| shard.contains(*id) && !self.done.contains(id))
            .collect()
    }

    /// The fault `id` of this campaign.
    pub fn fault(&self, id: u64) -> Fault {
        fault_of(&self.file.spec, id)
    }

    /// Runs the pending injections on `jobs` threads, appending each result as it comes.
    /// Returns how many were written.
    pub fn run(&mut self, options: &CampaignOptions) -> Result<u64, String> {
        let pending = self.pending();
        let path = self.dir.join(RESULTS);
        let out = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| io(&path, e))?;
        let writer = Mutex::new(out);
        let written = AtomicU64::new(0);
        let (restarted, early) = (AtomicU64::new(0), AtomicU64::new(0));
        let stop = AtomicBool::new(false);
        let failure: Mutex<Option<String>> = Mutex::new(None);
        let bar = if options.progress {
            let bar = ProgressBar::new(pending.len() as u64);
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} injections  {per_sec}  elapsed {elapsed}  ETA {eta}",
                )
                .map_err(|e| e.to_string())?,
            );
            bar
        } else {
            ProgressBar::hidden()
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(options.jobs)
            .build()
            .map_err(|e| e.to_string())?;
        let spec = &self.file.spec;
        pool.install(|| {
            pending.par_iter().for_each(|&id| {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                let (record, progress) = inject(
                    &self.app,
                    spec.mode,
                    &self.golden,
                    self.fault(id),
                    spec.hang_factor,
                );
                let mut line = match serde_json::to_string(&record) {
                    Ok(line) => line,
                    Err(e) => return fail(&failure, &stop, e.to_string()),
                };
                line.push('\n');
                let Ok(mut file) = writer.lock() else {
                    return fail(&failure, &stop, "results writer poisoned".to_owned());
                };
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                // One write per line: a kill leaves at most one truncated last line.
                if let Err(e) = file.write_all(line.as_bytes()) {
                    return fail(&failure, &stop, io(&path, e));
                }
                let count = written.fetch_add(1, Ordering::SeqCst) + 1;
                restarted.fetch_add(u64::from(progress.restarted), Ordering::Relaxed);
                early.fetch_add(u64::from(progress.early), Ordering::Relaxed);
                if options.stop_after.is_some_and(|n| count >= n) {
                    stop.store(true, Ordering::SeqCst);
                }
                bar.inc(1);
            });
        });
        bar.finish_and_clear();
        if let Some(message) = failure.lock().ok().and_then(|mut f| f.take()) {
            return Err(message);
        }
        let count = written.load(Ordering::SeqCst);
        self.restarted = restarted.load(Ordering::SeqCst);
        self.ended_early = early.load(Ordering::SeqCst);
        self.done = done_ids(&self.dir, &self.file)?;
        Ok(count)
    }
}

fn fail(failure: &Mutex<Option<String>>, stop: &AtomicBool, message: String) {
    stop.store(true, Ordering::SeqCst);
    if let Ok(mut slot) = failure.lock() {
        slot.get_or_insert(message);
    }
}

pub fn io(path: &Path, error: std::io::Error) -> String {
    format!("{}: {error}", path.display())
}

/// Writes `campaign.json` (whole, through a temporary file: a kill leaves the old or the new).
fn write_campaign(dir: &Path, file: &CampaignFile) -> Result<(), String> {
    let text = serde_json::to_string_pretty(file).map_err(|e| e.to_string())?;
    let path = dir.join(CAMPAIGN);
    let partial = dir.join(format!("{CAMPAIGN}.partial"));
    fs::write(&partial, text + "\n").map_err(|e| io(&partial, e))?;
    fs::rename(&partial, &path).map_err(|e| io(&path, e))
}

/// Reads `campaign.json`.
pub fn read_campaign(dir: &Path) -> Result<CampaignFile, String> {
    let path = dir.join(CAMPAIGN);
    let text = fs::read_to_string(&path).map_err(|e| io(&path, e))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: not a campaign file: {e}", path.display()))
}

/// Reads `results.jsonl`. A last line without its newline is what a kill mid-write leaves:
/// with `repair` it is cut off (its injection runs again), otherwise ignored. Any other
/// unreadable line is an error naming it; nothing is rewritten.
pub fn read_results(dir: &Path, repair: bool) -> Result<Vec<Record>, String> {
    let path = dir.join(RESULTS);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text = fs::read(&path).map_err(|e| io(&path, e))?;
    let complete = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    if complete < text.len() && repair {
        let file = OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(|e| io(&path, e))?;
        file.set_len(complete as u64).map_err(|e| io(&path, e))?;
    }
    let body = std::str::from_utf8(text.get(..complete).unwrap_or_default())
        .map_err(|_| format!("{}: is not UTF-8 text", path.display()))?;
    body.lines()
        .enumerate()
        .map(|(n, line)| {
            serde_json::from_str::<Record>(line).map_err(|e| {
                format!(
                    "{}: line {} is corrupted ({e}); fix or remove it, then resume",
                    path.display(),
                    n + 1
                )
            })
        })
        .collect()
}

/// The ids recorded in `dir`, in `results.jsonl` or packed ([`crate::packed`]), checked
/// to belong to the campaign `file`.
fn done_ids(dir: &Path, file: &CampaignFile) -> Result<BTreeSet<u64>, String> {
    let samples = crate::packed::read_samples(dir, &file.spec)?;
    let mut done = BTreeSet::new();
    for sample in samples {
        belongs(sample.id, file, dir)?;
        done.insert(sample.id);
    }
    Ok(done)
}

/// Refuses an id outside the campaign `file`'s faults or shard.
fn belongs(id: u64, file: &CampaignFile, dir: &Path) -> Result<(), String> {
    if id >= file.spec.faults || !file.shard.contains(id) {
        return Err(format!(
            "{}: result id {id} does not belong to this campaign shard",
            dir.display()
        ));
    }
    Ok(())
}

/// Checks that records belong to this campaign and shard and that no id repeats.
pub fn check_records(records: &[Record], file: &CampaignFile, dir: &Path) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for record in records {
        belongs(record.id, file, dir)?;
        if !seen.insert(record.id) {
            return Err(format!(
                "{}: result id {} appears twice",
                dir.display(),
                record.id
            ));
        }
    }
    Ok(())
}

/// The fields in which the campaign `given` differs from the `recorded` one, each as
/// `name recorded, not given`; empty when they are the same campaign. A campaign is its
/// module's bytes (by hash, so any path to them resumes it) and its parameters; not
/// compared are the module's path, the golden run's wall time (it varies between machines
/// and shards) and fault-model versions that changed none of the campaign's classes.
pub fn differences(recorded: &CampaignFile, given: &CampaignFile) -> Vec<String> {
    // Destructured whole, so that a field added to the spec cannot be left out here.
    let Spec {
        tool,
        tool_version,
        app,
        app_sha256,
        args,
        env,
        invoke,
        dirs,
        mode,
        check,
        memory_protection: _,
        replicas,
        seed,
        faults,
        bits,
        hang_factor,
        classes,
        sampling,
        slot_bits,
        golden,
        fault_model: _,
    } = &recorded.spec;
    let GoldenSummary {
        length,
        time_ns: _,
        end,
        stdout_bytes,
        stderr_bytes,
        host_calls,
    } = golden;
    let (b, bg) = (&given.spec, &given.spec.golden);
    let mut out = Vec::new();
    if *app_sha256 != b.app_sha256 {
        out.push(format!(
            "module {app} (sha256 {}), not {} (sha256 {}): the bytes differ",
            short(app_sha256),
            b.app,
            short(&b.app_sha256)
        ));
    }
    let mut differ = |name: &str, x: String, y: String| {
        if x != y {
            out.push(format!("{name} {x}, not {y}"));
        }
    };
    differ("tool", tool.clone(), b.tool.clone());
    differ("tool version", tool_version.clone(), b.tool_version.clone());
    differ("arguments", words(args), words(&b.args));
    differ("environment", words(env), words(&b.env));
    let entry = |invoke: &Option<String>| invoke.clone().unwrap_or_else(|| "_start".into());
    differ("entry", entry(invoke), entry(&b.invoke));
    differ("directories", words(dirs), words(&b.dirs));
    differ("mode", mode.as_str().into(), b.mode.as_str().into());
    let check_level = |c: &Option<Check>| c.map_or("(none)", Check::as_str).to_owned();
    differ("check level", check_level(check), check_level(&b.check));
    let memory = |m: Option<MemoryProtection>| m.map_or("(none)", MemoryProtection::as_str);
    differ(
        "memory protection",
        memory(recorded.spec.memory()).into(),
        memory(b.memory()).into(),
    );
    let second = |r: &Option<Second>| r.map_or("(none)", Second::as_str).to_owned();
    differ("replicas", second(replicas), second(&b.replicas));
    differ("seed", seed.to_string(), b.seed.to_string());
    differ("faults", faults.to_string(), b.faults.to_string());
    differ("bits", bits.to_string(), b.bits.to_string());
    differ(
        "hang factor",
        hang_factor.to_string(),
        b.hang_factor.to_string(),
    );
    let names = |c: &[Class]| c.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(",");
    differ("classes", names(classes), names(&b.classes));
    differ("sampling", sampling.name(), b.sampling.name());
    differ("slot bits", slot_bits.to_string(), b.slot_bits.to_string());
    differ(
        "golden run instructions",
        length.to_string(),
        bg.length.to_string(),
    );
    differ("golden run end", end.clone(), bg.end.clone());
    differ(
        "golden run stdout bytes",
        stdout_bytes.to_string(),
        bg.stdout_bytes.to_string(),
    );
    differ(
        "golden run stderr bytes",
        stderr_bytes.to_string(),
        bg.stderr_bytes.to_string(),
    );
    differ(
        "golden run host calls",
        host_calls.to_string(),
        bg.host_calls.to_string(),
    );
    differ(
        "fault model",
        recorded.spec.classes_model().to_string(),
        b.classes_model().to_string(),
    );
    let shard = |s: Shard| format!("{}/{}", s.index, s.count);
    differ("shard", shard(recorded.shard), shard(given.shard));
    out
}

/// A list for messages: its items separated by spaces, `(none)` when empty.
fn words(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_owned()
    } else {
        items.join(" ")
    }
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> CampaignFile {
        CampaignFile {
            spec: Spec {
                tool: "wasmrel".into(),
                tool_version: "0.1.0".into(),
                app: "bin/fmt.wasm".into(),
                app_sha256: "ab".repeat(32),
                args: vec![],
                env: vec![],
                invoke: None,
                dirs: vec![],
                mode: Mode::Encoded,
                check: Some(Check::Block),
                memory_protection: None,
                replicas: None,
                seed: 1,
                faults: 50,
                bits: 1,
                hang_factor: 10,
                classes: Class::for_mode(Mode::Encoded),
                sampling: Sampling::Equal,
                slot_bits: 128,
                golden: GoldenSummary {
                    length: 1000,
                    time_ns: 5000,
                    end: "exit 0".into(),
                    stdout_bytes: 10,
                    stderr_bytes: 0,
                    host_calls: 3,
                },
                fault_model: FAULT_MODEL,
            },
            shard: Shard::WHOLE,
        }
    }

    #[test]
    fn the_module_path_and_golden_time_are_not_the_campaign() {
        let mut other = file();
        other.spec.app = "/work/sweep/./bin/fmt.wasm".into();
        other.spec.golden.time_ns = 7000;
        // An old file without the memory protection ran with crc.
        other.spec.memory_protection = Some(MemoryProtection::Crc);
        assert!(file().same_campaign(&other));
        assert_eq!(differences(&file(), &other), Vec::<String>::new());
    }

    /// Every field the comparison covers, changed alone, is named with both values, and
    /// the two values shown differ.
    #[test]
    fn every_compared_field_is_named_when_it_differs() {
        type Change = fn(&mut CampaignFile);
        let changes: [(&str, Change); 24] = [
            ("module bin/fmt.wasm (sha256 abab", |f| {
                f.spec.app = "fmt-2.wasm".into();
                f.spec.app_sha256 = "cd".repeat(32);
            }),
            ("tool wasmrel, not other", |f| f.spec.tool = "other".into()),
            ("tool version 0.1.0, not 0.2.0", |f| {
                f.spec.tool_version = "0.2.0".into()
            }),
            ("arguments (none), not -x 3", |f| {
                f.spec.args = vec!["-x".into(), "3".into()]
            }),
            ("environment (none), not A=1", |f| {
                f.spec.env = vec!["A=1".into()]
            }),
            ("entry _start, not run", |f| {
                f.spec.invoke = Some("run".into())
            }),
            ("directories (none), not data::/d", |f| {
                f.spec.dirs = vec!["data::/d".into()]
            }),
            ("mode encoded, not plain", |f| f.spec.mode = Mode::Plain),
            ("check level block, not op", |f| {
                f.spec.check = Some(Check::Op)
            }),
            ("memory protection crc, not dup", |f| {
                f.spec.memory_protection = Some(MemoryProtection::Dup)
            }),
            ("replicas (none), not plain,encoded", |f| {
                f.spec.replicas = Some(Second::Encoded)
            }),
            ("seed 1, not 2", |f| f.spec.seed = 2),
            ("faults 50, not 60", |f| f.spec.faults = 60),
            ("bits 1, not 2", |f| f.spec.bits = 2),
            ("hang factor 10, not 20", |f| f.spec.hang_factor = 20),
            ("classes stack,", |f| {
                f.spec.classes = vec![Class::Memory, Class::Branch]
            }),
            ("sampling equal, not fault-space", |f| {
                f.spec.sampling = Sampling::FaultSpace
            }),
            ("slot bits 128, not 64", |f| f.spec.slot_bits = 64),
            ("golden run instructions 1000, not 1001", |f| {
                f.spec.golden.length = 1001
            }),
            ("golden run end exit 0, not exit 1", |f| {
                f.spec.golden.end = "exit 1".into()
            }),
            ("golden run stdout bytes 10, not 11", |f| {
                f.spec.golden.stdout_bytes = 11
            }),
            ("golden run stderr bytes 0, not 1", |f| {
                f.spec.golden.stderr_bytes = 1
            }),
            ("golden run host calls 3, not 4", |f| {
                f.spec.golden.host_calls = 4
            }),
            ("shard 0/1, not 1/2", |f| {
                f.shard = Shard { index: 1, count: 2 }
            }),
        ];
        for (name, change) in changes {
            let mut other = file();
            change(&mut other);
            assert!(!file().same_campaign(&other), "{name}");
            let found = differences(&file(), &other);
            // A plain campaign has no memory protection: a second, consequent difference.
            let expected = if name.starts_with("mode") { 2 } else { 1 };
            assert_eq!(found.len(), expected, "{name}: {found:?}");
            assert!(found[0].starts_with(name), "{name}: {found:?}");
        }
    }

    #[test]
    fn a_changed_fault_model_of_the_classes_is_named() {
        let mut old = file();
        old.spec.classes = vec![Class::Branch];
        old.spec.fault_model = 1;
        let mut new = old.clone();
        new.spec.fault_model = FAULT_MODEL;
        assert!(FAULT_MODEL > 1 && Class::Branch.model(FAULT_MODEL) > 1);
        let found = differences(&old, &new);
        assert_eq!(found, [format!("fault model 1, not {FAULT_MODEL}")]);
    }

    #[test]
    fn a_shard_plans_its_share_of_the_ids() {
        let planned = |faults, index, count| {
            let mut f = file();
            f.spec.faults = faults;
            f.shard = Shard { index, count };
            f.planned()
        };
        assert_eq!(planned(10, 0, 1), 10);
        assert_eq!(planned(10, 0, 3), 4);
        assert_eq!(planned(10, 1, 3), 3);
        assert_eq!(planned(10, 2, 3), 3);
        assert_eq!(planned(1, 2, 3), 0);
        assert_eq!(planned(0, 0, 1), 0);
        for (faults, count) in [(10, 3), (7, 7), (100, 8)] {
            let total: u64 = (0..count).map(|i| planned(faults, i, count)).sum();
            assert_eq!(total, faults);
        }
    }
}
