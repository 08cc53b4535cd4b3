//! `wasmrel report`: outcome tables, extrapolated failure counts and plots from campaign
//! directories.
//!
//! Following Schirmeier, Borchert and Spinczyk (DSN 2015), modes are compared by the
//! *extrapolated absolute* number of failures, not by coverage percentages: each class's
//! fault space is time × bits, where time is the golden run's measured CPU time in that
//! mode (a hardened run is longer, so exposed longer) and bits are the width of one location
//! of the class in that mode (a 128-bit encoded slot offers twice the bits of a plain one).
//!
//! A campaign restricted to one class ([`Sampling::Class`], a stratum) adds its samples to
//! that class of the whole campaign of the same app, mode and seed: within a class both are
//! uniform samples of the same space, and the whole campaign's golden time stays the
//! class's time, so the class is compared with plain's on the times measured side by side.
//!
//! Samples of a class recorded under an older fault model than the current one
//! ([`Class::is_current`]) are left out and counted apart: they describe faults the engine
//! no longer injects. A class-restricted campaign at the current model then stands in for
//! the class in its whole campaign's totals.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use plotters::prelude::*;
use serde::Serialize;

use crate::campaign::{io, read_campaign, CampaignFile, RESULTS};
use crate::fault::{Class, Sampling};
use crate::label::Label;
use crate::packed::{read_samples, Sample, PACKED};
use crate::stats::{estimate, Estimate};
use crate::Mode;

/// One campaign's outcomes for one location class.
#[derive(Debug, Clone, Serialize)]
pub struct ClassRow {
    pub app: String,
    pub mode: Mode,
    pub variant: String,
    pub class: Class,
    pub samples: u64,
    /// Of `samples`, how many come from campaigns restricted to this class.
    pub stratified_samples: u64,
    /// Samples recorded under an older fault model of the class, left out of `samples`.
    pub stale_samples: u64,
    pub counts: BTreeMap<Label, u64>,
    pub sdc: Estimate,
    /// Fault-space size: golden time (ns) × bits of one location.
    pub fault_space: f64,
    pub extrapolated_sdc: f64,
    pub extrapolated_sdc_high: f64,
    pub extrapolated_sdc_low: f64,
    /// The same class of the plain campaign of the same app: extrapolated SDCs
    /// (estimate, low, high).
    pub plain_extrapolated_sdc: Option<(f64, f64, f64)>,
    /// Against the same class of the plain campaign of the same app.
    pub reduction: Option<Reduction>,
}

impl ClassRow {
    /// Sets the SDC estimate and its extrapolation from the counts, samples and space.
    fn extrapolate(&mut self) {
        self.sdc = estimate(
            self.counts.get(&Label::Sdc).copied().unwrap_or(0),
            self.samples,
        );
        self.extrapolated_sdc = self.sdc.fraction * self.fault_space;
        self.extrapolated_sdc_low = self.sdc.low * self.fault_space;
        self.extrapolated_sdc_high = self.sdc.high * self.fault_space;
    }

    /// Adds the samples of a stratum campaign's row of the same class.
    fn pool(&mut self, stratum: &ClassRow) {
        self.samples += stratum.samples;
        self.stratified_samples += stratum.samples;
        self.stale_samples += stratum.stale_samples;
        for (label, n) in &stratum.counts {
            *self.counts.entry(*label).or_insert(0) += n;
        }
        self.extrapolate();
    }
}

/// How many times fewer extrapolated SDCs a hardened mode has than plain.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Reduction {
    /// Plain's extrapolated SDCs divided by this mode's.
    pub factor: f64,
    /// Plain's estimate over this mode's upper bound: the target asks for at least 100.
    pub against_estimate: f64,
    /// The conservative bound: plain's lower bound over this mode's upper bound.
    pub bound: f64,
    /// Whether this mode's upper bound is at most 1/100 of plain's estimate.
    pub meets_target: bool,
    /// Where the target is not met but the mode's estimate is below it: about how many
    /// samples would bring the upper bound down to it (bounds shrink about as 1/N).
    pub samples_for_target: Option<u64>,
    /// Whether plain showed no SDC at all (then no reduction can be shown).
    pub plain_without_sdc: bool,
    /// Plain's upper bound (what a class without plain SDCs is known to be below).
    pub plain_high: f64,
}

impl Reduction {
    /// `plain` and `mode` are (estimate, low, high) of extrapolated SDCs; `samples` the
    /// mode's samples behind them.
    fn new(plain: (f64, f64, f64), mode: (f64, f64, f64), samples: u64) -> Reduction {
        let target = plain.0 / 100.0;
        let meets_target = target > 0.0 && mode.2 <= target;
        let reachable = !meets_target && mode.0 < target && target > 0.0;
        Reduction {
            factor: plain.0 / mode.0,
            against_estimate: plain.0 / mode.2,
            bound: plain.1 / mode.2,
            meets_target,
            samples_for_target: reachable.then(|| (samples as f64 * mode.2 / target).ceil() as u64),
            plain_without_sdc: plain.0 <= 0.0,
            plain_high: plain.2,
        }
    }

    /// Why the target is or is not met, in a few words.
    fn verdict(&self) -> String {
        match (self.meets_target, self.samples_for_target) {
            (true, _) => "yes".to_owned(),
            (false, _) if self.plain_without_sdc => format!(
                "no plain SDC observed (upper bound {:.3e}): nothing to reduce",
                self.plain_high
            ),
            (false, Some(n)) => format!("no (≈ {n} samples would reach it)"),
            (false, None) => "no (SDC estimate above it)".to_owned(),
        }
    }
}

/// One campaign's totals.
#[derive(Debug, Clone, Serialize)]
pub struct CampaignRow {
    pub app: String,
    pub mode: Mode,
    /// The mode with its check level or replicas, as shown in tables.
    pub variant: String,
    /// The directory's name (its last component: stable wherever the campaign is read from).
    pub dir: String,
    /// The ids this directory's campaign (or shard) plans, and how many of them have a
    /// result (stale ones included): fewer means the counts cover part of the fault space.
    pub planned: u64,
    pub completed: u64,
    /// Samples under the current fault model (the stale ones are left out).
    pub samples: u64,
    /// Samples of classes whose fault model changed since they were recorded, left out.
    pub stale_samples: u64,
    /// Samples of campaigns restricted to one class that enter the totals (all of them in
    /// an `equal` campaign, those of stale classes otherwise), and their SDCs.
    pub stratified_samples: u64,
    pub stratified_sdc: u64,
    pub golden_instructions: u64,
    pub golden_ms: f64,
    pub counts: BTreeMap<Label, u64>,
    pub extrapolated_sdc: f64,
    pub extrapolated_sdc_low: f64,
    pub extrapolated_sdc_high: f64,
    pub sampling: Sampling,
    /// Against the plain campaign of the same app (hardened modes only).
    pub reduction: Option<Reduction>,
    pub engine_bugs: Vec<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub campaigns: Vec<CampaignRow>,
    pub classes: Vec<ClassRow>,
    /// Directories given more than once, read once.
    pub repeated: Vec<String>,
}

impl Report {
    /// The campaigns with fewer results than planned.
    fn incomplete(&self) -> impl Iterator<Item = &CampaignRow> {
        self.campaigns.iter().filter(|c| c.completed < c.planned)
    }

    /// The campaigns over all classes: a stratum's totals cover one class and are shown
    /// only in its class's row and in the list of strata.
    fn wholes(&self) -> impl Iterator<Item = &CampaignRow> {
        self.campaigns.iter().filter(|c| !is_stratum(c.sampling))
    }
}

/// Bits of one location of `class` in the campaign's mode.
fn location_bits(class: Class, spec: &crate::campaign::Spec) -> u32 {
    class.bits(spec.mode, spec.replicas.unwrap_or_default())
}

/// The campaign's extrapolated SDCs (estimate, low, high) from its own class rows (`own`,
/// stale samples left out) and its rows with the class-restricted campaigns pooled in
/// (`pooled`).
///
/// Sampled uniformly over the fault space (or over the one class of a stratum), the campaign
/// is one binomial sample of it: its SDC fraction (Wilson interval, exact bound at zero)
/// times the whole space. A class whose samples are stale is a stratum of its own: the
/// uniform sample covers the other classes' space, and the class adds its pooled row's
/// estimate and bounds. Sampled equally per class, the classes are strata: the estimate is
/// the sum of the pooled classes' extrapolations and the bounds the sums of theirs, except
/// that with no SDC anywhere the joint bound is used: the probability of seeing none is the
/// product over classes of (1 − p)^N, at least 5 % only where Σ N·p ≤ ln 20, so the
/// weighted sum Σ space·p is at most ln 20 · max(space / N) (classes without samples add
/// their whole space).
fn campaign_sdc(
    spec: &crate::campaign::Spec,
    own: &[ClassRow],
    pooled: &[ClassRow],
) -> (f64, f64, f64) {
    let sum = |rows: &[&ClassRow], f: fn(&ClassRow) -> f64| rows.iter().map(|r| f(r)).sum::<f64>();
    if spec.sampling != Sampling::Equal {
        let current = |r: &&ClassRow| r.class.is_current(spec.fault_model);
        let uniform: Vec<&ClassRow> = own.iter().filter(current).collect();
        let stale: Vec<&ClassRow> = pooled.iter().filter(|r| !current(r)).collect();
        let space = sum(&uniform, |r| r.fault_space);
        let samples: u64 = uniform.iter().map(|r| r.samples).sum();
        let sdc: u64 = uniform.iter().map(|r| r.sdc.count).sum();
        let e = estimate(sdc, samples);
        return (
            e.fraction * space + sum(&stale, |r| r.extrapolated_sdc),
            e.low * space + sum(&stale, |r| r.extrapolated_sdc_low),
            e.high * space + sum(&stale, |r| r.extrapolated_sdc_high),
        );
    }
    let rows: Vec<&ClassRow> = pooled.iter().collect();
    let high = if rows.iter().all(|r| r.sdc.count == 0) {
        let unsampled: f64 = rows
            .iter()
            .filter(|r| r.samples == 0)
            .map(|r| r.fault_space)
            .sum();
        let worst = rows
            .iter()
            .filter(|r| r.samples > 0)
            .map(|r| r.fault_space / r.samples as f64)
            .fold(0.0, f64::max);
        (unsampled + 20f64.ln() * worst).min(sum(&rows, |r| r.extrapolated_sdc_high))
    } else {
        sum(&rows, |r| r.extrapolated_sdc_high)
    };
    (
        sum(&rows, |r| r.extrapolated_sdc),
        sum(&rows, |r| r.extrapolated_sdc_low),
        high,
    )
}

/// The samples and SDCs of class-restricted campaigns in the campaign's totals (see
/// [`campaign_sdc`]): every pooled class of an `equal` campaign, the stale ones otherwise.
fn pooled_in(spec: &crate::campaign::Spec, own: &[ClassRow], pooled: &[ClassRow]) -> (u64, u64) {
    let counted =
        |r: &&ClassRow| spec.sampling == Sampling::Equal || !r.class.is_current(spec.fault_model);
    let sdc = |rows: &[ClassRow]| -> u64 { rows.iter().filter(counted).map(|r| r.sdc.count).sum() };
    let samples = pooled
        .iter()
        .filter(counted)
        .map(|r| r.stratified_samples)
        .sum();
    (samples, sdc(pooled) - sdc(own))
}

fn app_label(file: &CampaignFile) -> String {
    let spec = &file.spec;
    let stem = Path::new(&spec.app)
        .file_name()
        .map_or(spec.app.clone(), |n| n.to_string_lossy().into_owned());
    let mut label = stem.trim_end_matches(".wasm").to_owned();
    if let Some(name) = &spec.invoke {
        label = format!("{label}:{name}");
    }
    for arg in &spec.args {
        label = format!("{label} {arg}");
    }
    label
}

/// Builds the report of `dirs`. A directory given twice (a shell glob overlapping a named
/// directory) is read once; two directories holding the same campaign are refused, as
/// their samples are the same faults and would count twice.
pub fn analyse(dirs: &[PathBuf]) -> Result<Report, String> {
    let mut campaigns = Vec::new();
    let mut read: Vec<(CampaignFile, Vec<ClassRow>)> = Vec::new();
    let mut seen: Vec<(PathBuf, &Path)> = Vec::new();
    let mut repeated = Vec::new();
    for dir in dirs {
        let real = fs::canonicalize(dir).map_err(|e| io(dir, e))?;
        if seen.iter().any(|(other, _)| *other == real) {
            repeated.push(dir.display().to_string());
            continue;
        }
        let file = read_campaign(dir)?;
        let twin = read
            .iter()
            .zip(&seen)
            .find(|((other, _), _)| same_faults(other, &file));
        if let Some(((other_file, _), (_, other))) = twin {
            return Err(format!(
                "{} and {} hold the same campaign (the same module, parameters and seed): \
                 their ids 0..{} are the same faults and would count twice; report one of them",
                other.display(),
                dir.display(),
                other_file.spec.faults.min(file.spec.faults)
            ));
        }
        seen.push((real, dir));
        let samples = read_samples(dir, &file.spec)?;
        if samples.is_empty() {
            let gz = [RESULTS, PACKED].map(|name| dir.join(format!("{name}.gz")));
            return Err(match gz.iter().find(|path| path.exists()) {
                Some(path) => format!("{}: unpack it first (gzip -dk)", path.display()),
                None => format!("{}: no results yet", dir.display()),
            });
        }
        let (row, rows) = campaign_rows(dir, &file, &samples);
        campaigns.push(row);
        read.push((file, rows));
    }
    let own: Vec<Vec<ClassRow>> = read.iter().map(|(_, rows)| rows.clone()).collect();
    pool_strata(&mut read);
    for ((row, (file, pooled)), own) in campaigns.iter_mut().zip(&read).zip(&own) {
        let (e, low, high) = campaign_sdc(&file.spec, own, pooled);
        row.extrapolated_sdc = e;
        row.extrapolated_sdc_low = low;
        row.extrapolated_sdc_high = high;
        (row.stratified_samples, row.stratified_sdc) = pooled_in(&file.spec, own, pooled);
    }
    // A stratum's rows are in its whole campaign's now; one without a whole campaign keeps
    // its own.
    let pooled_into_whole =
        |file: &CampaignFile| read.iter().any(|(whole, _)| is_stratum_of(file, whole));
    let mut classes: Vec<ClassRow> = read
        .iter()
        .filter(|(file, _)| !is_stratum(file.spec.sampling) || !pooled_into_whole(file))
        .flat_map(|(_, rows)| rows.iter().cloned())
        .collect();
    // Reductions against the plain campaign of the same app, in total and per class.
    let triple = |e: f64, low: f64, high: f64| (e, low, high);
    let plain: BTreeMap<String, (f64, f64, f64)> = campaigns
        .iter()
        .filter(|c| c.mode == Mode::Plain && !is_stratum(c.sampling))
        .map(|c| {
            let t = triple(
                c.extrapolated_sdc,
                c.extrapolated_sdc_low,
                c.extrapolated_sdc_high,
            );
            (c.app.clone(), t)
        })
        .collect();
    // A stratum covers one class: its total is not comparable with plain's.
    for row in campaigns
        .iter_mut()
        .filter(|c| c.mode != Mode::Plain && !is_stratum(c.sampling))
    {
        let mode = triple(
            row.extrapolated_sdc,
            row.extrapolated_sdc_low,
            row.extrapolated_sdc_high,
        );
        let samples = row.samples;
        row.reduction = plain
            .get(&row.app)
            .map(|&p| Reduction::new(p, mode, samples));
    }
    let plain_classes: BTreeMap<(String, Class), (f64, f64, f64)> = classes
        .iter()
        .filter(|r| r.mode == Mode::Plain)
        .map(|r| {
            let t = triple(
                r.extrapolated_sdc,
                r.extrapolated_sdc_low,
                r.extrapolated_sdc_high,
            );
            ((r.app.clone(), r.class), t)
        })
        .collect();
    for row in classes.iter_mut().filter(|r| r.mode != Mode::Plain) {
        let mode = triple(
            row.extrapolated_sdc,
            row.extrapolated_sdc_low,
            row.extrapolated_sdc_high,
        );
        let key = (row.app.clone(), row.class);
        let samples = row.samples;
        row.plain_extrapolated_sdc = plain_classes.get(&key).copied();
        row.reduction = plain_classes
            .get(&key)
            .map(|&p| Reduction::new(p, mode, samples));
    }
    Ok(Report {
        campaigns,
        classes,
        repeated,
    })
}

/// Whether two campaign files draw the same faults for the ids they share: the same
/// campaign but perhaps for its size.
fn same_faults(a: &CampaignFile, b: &CampaignFile) -> bool {
    let faults = a.spec.faults.max(b.spec.faults);
    a.with_faults(faults).same_campaign(&b.with_faults(faults))
}

fn is_stratum(sampling: Sampling) -> bool {
    matches!(sampling, Sampling::Class(_))
}

/// Whether `stratum` is a campaign restricted to one class of the campaign `whole`: the
/// same campaign (as a resume would accept it: golden time and defaults aside) but for the
/// sampling, the number of faults and the tool version.
fn is_stratum_of(stratum: &CampaignFile, whole: &CampaignFile) -> bool {
    let Sampling::Class(class) = stratum.spec.sampling else {
        return false;
    };
    if is_stratum(whole.spec.sampling) || !whole.spec.classes.contains(&class) {
        return false;
    }
    let mut same = stratum.clone();
    same.spec.sampling = whole.spec.sampling;
    same.spec.faults = whole.spec.faults;
    same.spec.classes.clone_from(&whole.spec.classes);
    same.spec.tool_version.clone_from(&whole.spec.tool_version);
    // Stale samples of either are left out: the current ones pool whatever the versions.
    same.spec.fault_model = whole.spec.fault_model;
    same.same_campaign(whole)
}

/// Adds each stratum's class row to the same class of the whole campaign it is a stratum
/// of (the first, if several), in place; a stratum without one is left as it is.
fn pool_strata(read: &mut [(CampaignFile, Vec<ClassRow>)]) {
    let strata: Vec<(CampaignFile, Vec<ClassRow>)> = read
        .iter()
        .filter(|(file, _)| is_stratum(file.spec.sampling))
        .cloned()
        .collect();
    for (file, rows) in strata {
        for row in rows {
            let target = read
                .iter_mut()
                .filter(|(whole, _)| is_stratum_of(&file, whole))
                .find_map(|(_, rows)| rows.iter_mut().find(|r| r.class == row.class));
            if let Some(target) = target {
                target.pool(&row);
            }
        }
    }
}

fn campaign_rows(
    dir: &Path,
    file: &CampaignFile,
    samples: &[Sample],
) -> (CampaignRow, Vec<ClassRow>) {
    let spec = &file.spec;
    let app = app_label(file);
    let time = spec.golden.time_ns as f64;
    let (current, stale): (Vec<&Sample>, Vec<&Sample>) = samples
        .iter()
        .partition(|s| s.class.is_current(spec.fault_model));
    let mut rows = Vec::new();
    for &class in &spec.classes {
        let of_class: Vec<&Sample> = current
            .iter()
            .copied()
            .filter(|s| s.class == class)
            .collect();
        let n = of_class.len() as u64;
        let mut row = ClassRow {
            app: app.clone(),
            mode: spec.mode,
            variant: variant(spec),
            class,
            samples: n,
            stratified_samples: if is_stratum(spec.sampling) { n } else { 0 },
            stale_samples: stale.iter().filter(|s| s.class == class).count() as u64,
            counts: count(of_class.iter().copied()),
            sdc: estimate(0, 0),
            fault_space: time * f64::from(location_bits(class, spec)),
            extrapolated_sdc: 0.0,
            extrapolated_sdc_high: 0.0,
            extrapolated_sdc_low: 0.0,
            plain_extrapolated_sdc: None,
            reduction: None,
        };
        row.extrapolate();
        rows.push(row);
    }
    let row = CampaignRow {
        app,
        mode: spec.mode,
        variant: variant(spec),
        dir: dir.file_name().map_or_else(
            || dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        planned: file.planned(),
        completed: samples.len() as u64,
        samples: current.len() as u64,
        stale_samples: stale.len() as u64,
        // Set with the totals, once the strata are pooled.
        stratified_samples: 0,
        stratified_sdc: 0,
        golden_instructions: spec.golden.length,
        golden_ms: time / 1e6,
        counts: count(current.iter().copied()),
        // Set from the pooled class rows once every campaign is read.
        extrapolated_sdc: 0.0,
        extrapolated_sdc_low: 0.0,
        extrapolated_sdc_high: 0.0,
        sampling: spec.sampling,
        reduction: None,
        engine_bugs: current
            .iter()
            .filter(|s| s.outcome == Label::EngineBug)
            .map(|s| s.id)
            .collect(),
    };
    (row, rows)
}

/// `plain`, `encoded (op)`, `dual (plain,encoded)`…
fn variant(spec: &crate::campaign::Spec) -> String {
    match (spec.mode, spec.check, spec.replicas) {
        (Mode::Encoded, Some(c), _) => format!("encoded ({})", c.as_str()),
        (Mode::Dual, _, Some(crate::Second::Encoded)) => "dual (plain,encoded)".to_owned(),
        (Mode::Dual, ..) => "dual (plain,inverted)".to_owned(),
        (mode, ..) => mode.as_str().to_owned(),
    }
}

fn count<'a>(samples: impl Iterator<Item = &'a Sample>) -> BTreeMap<Label, u64> {
    let mut counts = BTreeMap::new();
    for sample in samples {
        *counts.entry(sample.outcome).or_insert(0) += 1;
    }
    counts
}

/// Writes `report.md`, `report.html`, `report.json`, `campaigns.csv`, `classes.csv` and
/// `outcomes.svg` into `out`.
pub fn write(report: &Report, out: &Path) -> Result<(), String> {
    fs::create_dir_all(out).map_err(|e| io(out, e))?;
    let put = |name: &str, text: String| {
        let path = out.join(name);
        fs::write(&path, text).map_err(|e| io(&path, e))
    };
    put(
        "report.json",
        serde_json::to_string_pretty(report).map_err(|e| e.to_string())? + "\n",
    )?;
    put("campaigns.csv", campaigns_csv(report))?;
    put("classes.csv", classes_csv(report))?;
    let markdown = markdown(report);
    put("report.html", html(&markdown))?;
    put("report.md", markdown)?;
    plot(report, &out.join("outcomes.svg"))?;
    plot_overhead(report, &out.join("overhead.svg"))
}

fn counts_cells(counts: &BTreeMap<Label, u64>, samples: u64) -> Vec<String> {
    Label::ALL
        .iter()
        .map(|label| {
            let n = counts.get(label).copied().unwrap_or(0);
            let e = estimate(n, samples);
            format!("{n} ({:.1}%)", e.fraction * 100.0)
        })
        .collect()
}

fn campaigns_csv(report: &Report) -> String {
    let mut text = String::from("app,mode,samples,golden_instructions,golden_ms");
    for label in Label::ALL {
        let _ = write!(text, ",{label}");
    }
    text += ",extrapolated_sdc,extrapolated_sdc_low,extrapolated_sdc_high,reduction,reduction_low,\
             planned,completed\n";
    for c in &report.campaigns {
        let _ = write!(
            text,
            "{},{},{},{},{:.4}",
            quoted(&c.app),
            quoted(&c.variant),
            c.samples,
            c.golden_instructions,
            c.golden_ms
        );
        for label in Label::ALL {
            let _ = write!(text, ",{}", c.counts.get(&label).copied().unwrap_or(0));
        }
        let _ = writeln!(
            text,
            ",{:.1},{:.1},{:.1},{},{},{}",
            c.extrapolated_sdc,
            c.extrapolated_sdc_low,
            c.extrapolated_sdc_high,
            reduction_csv(c.reduction),
            c.planned,
            c.completed
        );
    }
    text
}

fn classes_csv(report: &Report) -> String {
    let mut text = String::from("app,mode,class,samples,stratified_samples");
    for label in Label::ALL {
        let _ = write!(text, ",{label}");
    }
    text += ",sdc_fraction,sdc_low,sdc_high,fault_space,extrapolated_sdc,extrapolated_sdc_high,reduction,reduction_low,plain_extrapolated_sdc,target\n";
    for r in &report.classes {
        let _ = write!(
            text,
            "{},{},{},{},{}",
            quoted(&r.app),
            quoted(&r.variant),
            r.class.as_str(),
            r.samples,
            r.stratified_samples
        );
        for label in Label::ALL {
            let _ = write!(text, ",{}", r.counts.get(&label).copied().unwrap_or(0));
        }
        let _ = writeln!(
            text,
            ",{:.6},{:.6},{:.6},{:.0},{:.1},{:.1},{},{},{}",
            r.sdc.fraction,
            r.sdc.low,
            r.sdc.high,
            r.fault_space,
            r.extrapolated_sdc,
            r.extrapolated_sdc_high,
            reduction_csv(r.reduction),
            r.plain_extrapolated_sdc
                .map_or(String::new(), |p| format!("{:.1}", p.0)),
            match r.reduction {
                None => "",
                Some(x) if x.plain_without_sdc => "no-plain-sdc",
                Some(x) if x.meets_target => "met",
                Some(_) => "not-met",
            }
        );
    }
    text
}

/// A CSV field, quoted where it holds a comma or a quote (mode names like
/// `dual (plain,inverted)` do).
fn quoted(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn reduction_csv(reduction: Option<Reduction>) -> String {
    reduction.map_or(",".to_owned(), |r| {
        format!("{:.3},{:.3}", r.factor, r.bound)
    })
}

/// The Markdown cells `factor | bound | target met` of a reduction.
fn reduction_cells(reduction: Option<Reduction>) -> String {
    match reduction {
        Some(r) => format!(
            "{} | {} | {}",
            if r.factor.is_finite() {
                format!("{:.1}×", r.factor)
            } else {
                "∞ (0 SDC)".to_owned()
            },
            ratio(r.bound),
            r.verdict()
        ),
        None => "– | – | –".to_owned(),
    }
}

/// Per benchmark, mode and class: samples, SDCs, extrapolated SDCs with their bound, plain's,
/// and whether the mode's bound is at most 1/100 of plain's estimate.
fn class_table(report: &Report) -> String {
    let mut md = String::from(
        "\n## Extrapolated SDCs per location class\n\n\
         Samples of every campaign of a benchmark and mode in the class (of them, in campaigns \
         restricted to the class: `+ n stratified`), extrapolated over the class's fault space \
         (the whole campaign's golden time × the class's bits). The target compares the \
         mode's upper bound with 1/100 of plain's *estimate* in the same class: met when \
         plain's estimate ÷ the mode's bound is at least 100×. The conservative column \
         divides plain's lower bound instead. Where plain showed no SDC in the class there \
         is nothing to reduce: such a cell neither meets nor misses the target.\n\n\
         | app | mode | class | samples | SDC | extrapolated SDC [95 % CI] | plain's extrapolated SDC [95 % CI] | plain ÷ bound | conservative | target met |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
    );
    let triple = |(e, low, high): (f64, f64, f64)| format!("{e:.3e} [{low:.3e}, {high:.3e}]");
    for r in &report.classes {
        let mut samples = r.samples.to_string();
        if r.stratified_samples > 0 {
            let _ = write!(samples, " (+ {} stratified)", r.stratified_samples);
        }
        if r.stale_samples > 0 {
            let _ = write!(samples, "; {} stale left out", r.stale_samples);
        }
        let comparison = match (r.mode, r.reduction) {
            (Mode::Plain, _) | (_, None) => "– | – | –".to_owned(),
            (_, Some(x)) if x.plain_without_sdc => format!("– | – | {}", x.verdict()),
            (_, Some(x)) => format!(
                "{} | {} | {}",
                ratio(x.against_estimate),
                ratio(x.bound),
                x.verdict()
            ),
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {samples} | {} | {} | {} | {comparison} |",
            r.app,
            r.variant,
            r.class.as_str(),
            r.sdc.count,
            triple((
                r.extrapolated_sdc,
                r.extrapolated_sdc_low,
                r.extrapolated_sdc_high
            )),
            r.plain_extrapolated_sdc.map_or("–".to_owned(), triple),
        );
    }
    md
}

/// The campaigns restricted to one class, with what they found.
fn strata_table(report: &Report) -> String {
    let strata: Vec<&CampaignRow> = report
        .campaigns
        .iter()
        .filter(|c| is_stratum(c.sampling))
        .collect();
    if strata.is_empty() {
        return String::new();
    }
    let mut md = format!(
        "\n## Campaigns restricted to one class\n\n{} campaigns; their samples are counted \
         in their class's row of the table below.\n\n\
         | app | mode | class | samples | golden ms | SDC | detected | trap, hang, limit | benign, latent | engine-bug |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
        strata.len()
    );
    for c in strata {
        let n = |test: fn(&Label) -> bool| -> u64 {
            c.counts
                .iter()
                .filter(|(label, _)| test(label))
                .map(|(_, n)| n)
                .sum()
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {:.3} | {} | {} | {} | {} | {} |",
            c.app,
            c.variant,
            c.sampling.name().trim_start_matches("class:"),
            c.samples,
            c.golden_ms,
            n(|l| *l == Label::Sdc),
            n(|l| l.is_detected()),
            n(|l| matches!(l, Label::Trap | Label::Hang | Label::Limit)),
            n(|l| matches!(l, Label::Benign | Label::Latent)),
            n(|l| *l == Label::EngineBug),
        );
    }
    md
}

/// `n`, or `n (+ m what)` where class-restricted campaigns add `m`.
fn with_strata(n: u64, m: u64, what: &str) -> String {
    if m > 0 {
        format!("{n} (+ {m}{what})")
    } else {
        n.to_string()
    }
}

/// `≥ 123.4×`, or `∞` where the bound is zero; ratios below 0.05 with two significant
/// digits (`≥ 0.0044×`), so that a bound far from the target does not read as zero.
fn ratio(x: f64) -> String {
    if !x.is_finite() {
        "∞".to_owned()
    } else if x > 0.0 && x < 0.05 {
        format!("≥ {}×", significant(x))
    } else {
        format!("≥ {x:.1}×")
    }
}

/// `x` (positive, below 1) with two significant digits in plain decimal notation.
fn significant(x: f64) -> String {
    let decimals = (1.0 - x.log10().floor()).max(1.0) as usize;
    format!("{x:.decimals$}")
}

fn markdown(report: &Report) -> String {
    let mut md = String::from("# wasmrel fault-injection report\n\n");
    let bugs: Vec<String> = report
        .campaigns
        .iter()
        .filter(|c| !c.engine_bugs.is_empty())
        .map(|c| {
            let ids: Vec<String> = c.engine_bugs.iter().map(u64::to_string).collect();
            format!("{} ({}): ids {}", c.app, c.variant, ids.join(", "))
        })
        .collect();
    if bugs.is_empty() {
        md += "No engine bugs (panics or internal errors) were hit.\n\n";
    } else {
        md +=
            "## ENGINE BUGS\n\nReplay each with `wasmrel inject --replay ID` on its campaign:\n\n";
        for bug in bugs {
            let _ = writeln!(md, "- **{bug}**");
        }
        md.push('\n');
    }
    md += &incomplete_note(report);
    md += &repeated_note(report);
    md += &stale_note(report);
    md += "## Outcomes per campaign\n\n| app | mode | samples | done of planned | golden instr. | golden ms |";
    for label in Label::ALL {
        let _ = write!(md, " {label} |");
    }
    md += "\n|---|---|---|---|---|---|";
    md += &"---|".repeat(Label::ALL.len());
    md.push('\n');
    for c in report.wholes() {
        let _ = write!(
            md,
            "| {} | {} | {} | {} of {} | {} | {:.3} |",
            c.app, c.variant, c.samples, c.completed, c.planned, c.golden_instructions, c.golden_ms
        );
        for cell in counts_cells(&c.counts, c.samples) {
            let _ = write!(md, " {cell} |");
        }
        md.push('\n');
    }
    md += "\n## Extrapolated silent data corruptions\n\n";
    md += "Fault space per class = golden CPU time in the mode (ns) × bits of one location. \
           Sampled uniformly over the fault space (`fault-space`), extrapolated SDCs = the \
           campaign's SDC fraction × the whole space; sampled equally per class (`equal`), \
           the sum over classes of each class's fraction × its space, with the samples of \
           campaigns restricted to the class pooled in. A class whose samples are stale \
           (an older fault model) counts with its pooled row instead: the fraction of the \
           other samples × the other classes' space, plus the class's extrapolation (bounds \
           added); the samples column counts the current ones only. 95 % bounds: Wilson, \
           1 − 0.05^(1/N) for zero SDCs; an `equal` campaign without any SDC uses the joint \
           bound ln 20 · max(class space ÷ class samples). Reduction = plain ÷ mode; its \
           bound divides plain's lower bound by the mode's upper bound. Target: the mode's \
           upper bound at most 1/100 of plain's estimate.\n\n";
    md += "| app | mode | sampling | samples | SDC | extrapolated SDC [95 % CI] | reduction vs plain | reduction bound | target met |\n|---|---|---|---|---|---|---|---|---|\n";
    for c in report.wholes() {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {:.3e} [{:.3e}, {:.3e}] | {} |",
            c.app,
            c.variant,
            c.sampling.name(),
            with_strata(c.samples, c.stratified_samples, " stratified"),
            with_strata(
                c.counts.get(&Label::Sdc).copied().unwrap_or(0),
                c.stratified_sdc,
                ""
            ),
            c.extrapolated_sdc,
            c.extrapolated_sdc_low,
            c.extrapolated_sdc_high,
            reduction_cells(c.reduction)
        );
    }
    md += &target_summary(report);
    md += &strata_table(report);
    md += &class_table(report);
    md += "\n![outcome distribution](outcomes.svg)\n\n![overhead vs SDC](overhead.svg)\n";
    md
}

/// The warning that some campaigns are unfinished: their counts and extrapolations stand
/// for the part of the fault space sampled so far, not for the campaign as planned.
fn incomplete_note(report: &Report) -> String {
    let lines: Vec<String> = report
        .incomplete()
        .map(|c| {
            format!(
                "- **{} {} ({}, directory {}): {} of {} planned faults done ({:.1} %)**\n",
                c.app,
                c.variant,
                c.sampling.name(),
                c.dir,
                c.completed,
                c.planned,
                c.completed as f64 * 100.0 / c.planned as f64
            )
        })
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    format!(
        "## INCOMPLETE CAMPAIGNS\n\nThese campaigns are unfinished: their counts cover only \
         part of the planned fault samples. Resume each with the `wasmrel inject` command that \
         started it.\n\n{}\n",
        lines.concat()
    )
}

/// Which directories were given more than once (and read once).
fn repeated_note(report: &Report) -> String {
    if report.repeated.is_empty() {
        return String::new();
    }
    format!(
        "Given more than once and counted once: {}.\n\n",
        report.repeated.join(", ")
    )
}

/// Which samples were left out as recorded under an older fault model of their class.
fn stale_note(report: &Report) -> String {
    let stale: Vec<String> = report
        .campaigns
        .iter()
        .filter(|c| c.stale_samples > 0)
        .map(|c| {
            format!(
                "{} {} ({}: {})",
                c.app,
                c.variant,
                c.sampling.name(),
                c.stale_samples
            )
        })
        .collect();
    if stale.is_empty() {
        return String::new();
    }
    let total: u64 = report.campaigns.iter().map(|c| c.stale_samples).sum();
    format!(
        "{total} samples recorded under an older fault model of their class (the faults of \
         the class have changed since) are left out of every table and total: {}. Campaigns \
         restricted to such a class at the current model stand in for it.\n\n",
        stale.join(", ")
    )
}

/// Where the 1/100 target is met and where not, per benchmark and per location class.
fn target_summary(report: &Report) -> String {
    let mut md = String::from("\n## Where the 1/100 target is met\n\n");
    let hardened: Vec<&CampaignRow> = report
        .campaigns
        .iter()
        .filter(|c| c.mode != Mode::Plain && !is_stratum(c.sampling))
        .collect();
    let name = |c: &CampaignRow| format!("{} {}", c.app, c.variant);
    let met: Vec<String> = hardened
        .iter()
        .filter(|c| c.reduction.is_some_and(|r| r.meets_target))
        .map(|c| name(c))
        .collect();
    let _ = writeln!(
        md,
        "Per benchmark: met by {} of {} hardened campaigns{}{}.",
        met.len(),
        hardened.len(),
        if met.is_empty() { "" } else { ": " },
        met.join(", ")
    );
    let missed: Vec<String> = hardened
        .iter()
        .filter_map(|c| match c.reduction {
            Some(r) if !r.meets_target => Some(format!("{}: {}", name(c), r.verdict())),
            None => Some(format!("{}: no plain campaign to compare with", name(c))),
            Some(_) => None,
        })
        .collect();
    if !missed.is_empty() {
        let _ = writeln!(md, "Not met: {}.", missed.join("; "));
    }
    // (met, not met, no plain SDC observed) per mode.
    let mut per_variant: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for r in report.classes.iter().filter(|r| r.mode != Mode::Plain) {
        let Some(x) = r.reduction else { continue };
        let cell = per_variant.entry(&r.variant).or_default();
        match (x.plain_without_sdc, x.meets_target) {
            (true, _) => cell.2 += 1,
            (false, true) => cell.0 += 1,
            (false, false) => cell.1 += 1,
        }
    }
    md += "\nPer location class, (benchmark, class) cells of each mode (the classes only a \
           hardened mode has, replica and signature, have no plain counterpart and are not \
           counted):\n\n| mode | cells | met | not met | no plain SDC observed |\n\
           |---|---|---|---|---|\n";
    for (variant, (met, missed, none)) in per_variant {
        let _ = writeln!(
            md,
            "| {variant} | {} | {met} | {missed} | {none} |",
            met + missed + none
        );
    }
    md
}

/// A minimal Markdown-to-HTML rendering of the report's own Markdown (headings, tables,
/// paragraphs, list items, the image).
fn html(markdown: &str) -> String {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut body = String::new();
    let mut in_table = false;
    for line in markdown.lines() {
        if line.starts_with('|') {
            if line.starts_with("|---") {
                continue;
            }
            if !in_table {
                body += "<table>\n";
                in_table = true;
            }
            let cells: Vec<String> = line
                .trim_matches('|')
                .split('|')
                .map(|c| format!("<td>{}</td>", escape(c.trim())))
                .collect();
            let _ = writeln!(body, "<tr>{}</tr>", cells.concat());
            continue;
        }
        if in_table {
            body += "</table>\n";
            in_table = false;
        }
        if let Some(h) = line.strip_prefix("## ") {
            let _ = writeln!(body, "<h2>{}</h2>", escape(h));
        } else if let Some(h) = line.strip_prefix("# ") {
            let _ = writeln!(body, "<h1>{}</h1>", escape(h));
        } else if let Some(item) = line.strip_prefix("- ") {
            let _ = writeln!(body, "<p>• {}</p>", escape(&item.replace("**", "")));
        } else if line.starts_with("![") {
            let file = if line.contains("overhead") {
                "overhead.svg"
            } else {
                "outcomes.svg"
            };
            let _ = writeln!(body, "<p><img src=\"{file}\" alt=\"plot\"></p>");
        } else if !line.is_empty() {
            let _ = writeln!(body, "<p>{}</p>", escape(line));
        }
    }
    if in_table {
        body += "</table>\n";
    }
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>wasmrel fault-injection report</title>\
         <style>body{{font-family:sans-serif}} table{{border-collapse:collapse}} td{{border:1px solid #999;padding:2px 6px}}</style>\
         </head><body>\n{body}</body></html>\n"
    )
}

/// One horizontal stacked bar per campaign: the fraction of each outcome.
fn plot(report: &Report, path: &Path) -> Result<(), String> {
    let colours = [
        RGBColor(160, 200, 160), // benign
        RGBColor(200, 220, 170), // latent
        RGBColor(70, 130, 180),  // detected:an
        RGBColor(100, 149, 237), // detected:signature
        RGBColor(135, 206, 250), // detected:memory
        RGBColor(30, 90, 160),   // detected:code
        RGBColor(0, 60, 120),    // detected:dual
        RGBColor(240, 180, 60),  // trap
        RGBColor(200, 120, 40),  // hang
        RGBColor(180, 160, 120), // limit
        RGBColor(0, 0, 0),       // engine-bug
        RGBColor(220, 30, 30),   // sdc
    ];
    let rows = report.wholes().count().max(1);
    let height = 80 + 28 * rows as u32 + 40;
    let root = SVGBackend::new(path, (900, height)).into_drawing_area();
    let err = |e: DrawingAreaErrorKind<_>| format!("{}: {e}", path.display());
    root.fill(&WHITE).map_err(err)?;
    let text = ("sans-serif", 13).into_font();
    root.draw(&Text::new(
        "Outcome distribution per campaign (fraction of samples)",
        (10, 10),
        ("sans-serif", 16).into_font(),
    ))
    .map_err(err)?;
    let (left, width) = (230i32, 640f64);
    for (row, c) in report.wholes().enumerate() {
        let y = 40 + 28 * row as i32;
        root.draw(&Text::new(
            format!("{} / {}", c.app, c.variant),
            (10, y + 5),
            text.clone(),
        ))
        .map_err(err)?;
        let mut x = left as f64;
        for (label, colour) in Label::ALL.iter().zip(colours) {
            let n = c.counts.get(label).copied().unwrap_or(0);
            let w = width * n as f64 / c.samples.max(1) as f64;
            if w > 0.0 {
                root.draw(&Rectangle::new(
                    [(x as i32, y), ((x + w) as i32, y + 20)],
                    colour.filled(),
                ))
                .map_err(err)?;
            }
            x += w;
        }
    }
    let legend_y = 40 + 28 * rows as i32 + 10;
    for (i, (label, colour)) in Label::ALL.iter().zip(colours).enumerate() {
        let x = 10 + (i as i32 % 6) * 145;
        let y = legend_y + (i as i32 / 6) * 18;
        root.draw(&Rectangle::new([(x, y), (x + 12, y + 12)], colour.filled()))
            .map_err(err)?;
        root.draw(&Text::new(label.as_str(), (x + 16, y), text.clone()))
            .map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(())
}

/// Overhead against protection: each campaign at (golden time ÷ plain's golden time,
/// extrapolated SDCs as a percentage of plain's estimate), the 95 % interval as an error
/// bar. Absolute counts, not sample fractions: campaigns sampled differently (equal per
/// class, or over the fault space) are comparable only so.
fn plot_overhead(report: &Report, path: &Path) -> Result<(), String> {
    let plain: BTreeMap<&str, (f64, f64)> = report
        .wholes()
        .filter(|c| c.mode == Mode::Plain && c.extrapolated_sdc > 0.0)
        .map(|c| (c.app.as_str(), (c.golden_ms, c.extrapolated_sdc)))
        .collect();
    // (x, (low, estimate, high) in % of plain's estimate, campaign)
    let points: Vec<(f64, (f64, f64, f64), &CampaignRow)> = report
        .wholes()
        .filter_map(|c| {
            let (time, sdc) = plain.get(c.app.as_str())?;
            let percent = |x: f64| x / sdc * 100.0;
            let y = (
                percent(c.extrapolated_sdc_low),
                percent(c.extrapolated_sdc),
                percent(c.extrapolated_sdc_high),
            );
            Some((c.golden_ms / time, y, c))
        })
        .collect();
    let err = |e: String| format!("{}: {e}", path.display());
    let max_x = points.iter().map(|p| p.0).fold(1.0f64, f64::max) * 1.15;
    let max_y = points.iter().map(|p| p.1 .2).fold(1.0f64, f64::max) * 1.15;
    let root = SVGBackend::new(path, (800, 500)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
    let mut chart = ChartBuilder::on(&root)
        .caption("Cost vs silent data corruption", ("sans-serif", 18))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..max_x, 0.0..max_y)
        .map_err(|e| err(e.to_string()))?;
    chart
        .configure_mesh()
        .x_desc("golden run time ÷ plain's")
        .y_desc("extrapolated SDCs, % of plain's (95 % CI)")
        .draw()
        .map_err(|e| err(e.to_string()))?;
    let colour = |c: &CampaignRow| match c.mode {
        Mode::Plain => RGBColor(220, 30, 30),
        Mode::Encoded => RGBColor(70, 130, 180),
        Mode::Dual => RGBColor(0, 120, 60),
    };
    // The target: at most 1 % of plain's extrapolated SDCs (the upper bound below this line).
    chart
        .draw_series([PathElement::new(
            vec![(0.0, 1.0), (max_x, 1.0)],
            RGBColor(120, 120, 120).stroke_width(1),
        )])
        .map_err(|e| err(e.to_string()))?;
    for (x, (low, y, high), c) in &points {
        let style = colour(c).filled();
        chart
            .draw_series([ErrorBar::new_vertical(*x, *low, *y, *high, style, 8)])
            .map_err(|e| err(e.to_string()))?;
        chart
            .draw_series([Text::new(
                format!("{} {}", c.app, c.variant),
                (*x, *y),
                ("sans-serif", 10).into_font(),
            )])
            .map_err(|e| err(e.to_string()))?;
    }
    root.present().map_err(|e| err(e.to_string()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::ratio;

    #[test]
    fn small_ratios_keep_two_significant_digits() {
        assert_eq!(ratio(123.45), "≥ 123.5×");
        assert_eq!(ratio(0.06), "≥ 0.1×");
        assert_eq!(ratio(0.049), "≥ 0.049×");
        assert_eq!(ratio(0.03), "≥ 0.030×");
        assert_eq!(ratio(0.0044), "≥ 0.0044×");
        assert_eq!(ratio(0.0), "≥ 0.0×");
        assert_eq!(ratio(f64::INFINITY), "∞");
    }
}
