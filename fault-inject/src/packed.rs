//! `results.packed`: a campaign's outcomes as one character per injection id, so that
//! campaigns of millions of injections can be kept (about 1 byte per injection before
//! compression, a few bits after it) where `results.jsonl` would take about 10 bytes per
//! injection even compressed.
//!
//! Only the outcome is kept: an injection's class, time and bits derive from the campaign's
//! spec and its id ([`fault_of`]), and its instruction count and detail come back with
//! `wasmrel inject --replay ID`. A report needs the outcomes alone. The file starts with a
//! header naming every character; then line `k` holds ids `100 k` to `100 k + 99`, `.` for
//! an id not run. Packing merges `results.jsonl` into the packed file; an id in both must
//! have the same outcome, so packing twice, or resuming a packed campaign (new results go
//! to `results.jsonl` again), counts nothing twice.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use crate::campaign::{fault_of, io, read_campaign, read_results, Spec};
use crate::fault::Class;
use crate::label::Label;

pub const PACKED: &str = "results.packed";

/// Ids per line.
const WIDTH: u64 = 100;

/// The character of each label, in [`Label::ALL`] order.
const LETTERS: [u8; 12] = *b"blASMCDthL!x";

/// An id not run.
const NOT_RUN: u8 = b'.';

/// One injection's outcome, as a report needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub id: u64,
    pub class: Class,
    pub outcome: Label,
}

/// The header line: the format's name and version and what each character means.
fn header() -> String {
    let mut line = String::from("wasmrel results.packed 1:");
    for (label, letter) in Label::ALL.iter().zip(LETTERS) {
        line += &format!(" {}={}", char::from(letter), label.as_str());
    }
    line + " .=not-run"
}

fn letter(label: Label) -> u8 {
    Label::ALL
        .iter()
        .position(|l| *l == label)
        .and_then(|i| LETTERS.get(i).copied())
        .unwrap_or(NOT_RUN)
}

/// The outcomes in `dir`'s packed file, by id (empty without one).
fn read_packed(dir: &Path) -> Result<BTreeMap<u64, Label>, String> {
    let path = dir.join(PACKED);
    if !path.exists() {
        return Ok(BTreeMap::new());
    }
    let text = fs::read_to_string(&path).map_err(|e| io(&path, e))?;
    let mut lines = text.lines();
    if lines.next() != Some(header().as_str()) {
        return Err(format!(
            "{}: does not start with the header `{}`",
            path.display(),
            header()
        ));
    }
    let mut outcomes = BTreeMap::new();
    for (n, line) in lines.enumerate() {
        let bad = |what: &str| format!("{}: line {} {what}", path.display(), n + 2);
        if line.len() as u64 > WIDTH {
            return Err(bad("is longer than 100 ids"));
        }
        for (i, byte) in line.bytes().enumerate() {
            if byte == NOT_RUN {
                continue;
            }
            let label = LETTERS
                .iter()
                .position(|&l| l == byte)
                .and_then(|i| Label::ALL.get(i).copied())
                .ok_or_else(|| bad(&format!("has the unknown outcome `{}`", char::from(byte))))?;
            outcomes.insert(n as u64 * WIDTH + i as u64, label);
        }
    }
    Ok(outcomes)
}

/// Every injection recorded in `dir` (a campaign of `spec`), in `results.jsonl` and
/// packed, by id. Refuses an id twice in `results.jsonl` and an id whose two records
/// disagree.
pub fn read_samples(dir: &Path, spec: &Spec) -> Result<Vec<Sample>, String> {
    let mut outcomes = read_packed(dir)?;
    let mut seen = BTreeSet::new();
    for record in read_results(dir, false)? {
        if !seen.insert(record.id) {
            return Err(format!(
                "{}: result id {} appears twice",
                dir.display(),
                record.id
            ));
        }
        if let Some(old) = outcomes.insert(record.id, record.outcome) {
            if old != record.outcome {
                return Err(format!(
                    "{}: id {} is {old} in {PACKED} but {} in results.jsonl",
                    dir.display(),
                    record.id,
                    record.outcome
                ));
            }
        }
        if record.class != fault_of(spec, record.id).class {
            return Err(format!(
                "{}: result id {} has class {}, not this campaign's",
                dir.display(),
                record.id,
                record.class.as_str()
            ));
        }
    }
    Ok(outcomes
        .into_iter()
        .map(|(id, outcome)| Sample {
            id,
            class: fault_of(spec, id).class,
            outcome,
        })
        .collect())
}

/// Packs the campaign in `dir`: writes every recorded outcome to `results.packed`
/// (through a temporary file: a kill leaves the old or the new). `results.jsonl` is left
/// as it is. Returns how many outcomes the packed file holds.
pub fn pack(dir: &Path) -> Result<u64, String> {
    let file = read_campaign(dir)?;
    let samples = read_samples(dir, &file.spec)?;
    let end = samples.last().map_or(0, |s| s.id + 1);
    let mut letters = vec![NOT_RUN; end as usize];
    for sample in &samples {
        if let Some(slot) = letters.get_mut(sample.id as usize) {
            *slot = letter(sample.outcome);
        }
    }
    let mut text = header();
    text.push('\n');
    for line in letters.chunks(WIDTH as usize) {
        text += &String::from_utf8_lossy(line);
        text.push('\n');
    }
    let path = dir.join(PACKED);
    let partial = dir.join(format!("{PACKED}.partial"));
    fs::write(&partial, text).map_err(|e| io(&partial, e))?;
    fs::rename(&partial, &path).map_err(|e| io(&path, e))?;
    Ok(samples.len() as u64)
}
