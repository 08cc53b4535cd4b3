//! `wasmrel inject` and `wasmrel merge`: fault-injection campaigns from the command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use wasmrel_executor::{ExternType, Value};
use wasmrel_fault_inject::campaign::{read_campaign, read_results, CampaignFile, CAMPAIGN};
use wasmrel_fault_inject::golden::inject;
use wasmrel_fault_inject::packed::read_samples;
use wasmrel_fault_inject::{
    App, Campaign, CampaignOptions, Check, MemoryProtection, Mode, Sampling, Second, Shard,
};

use crate::load::read_module;
use crate::values;

/// The options that define a campaign have no clap defaults: one not given takes the value
/// the campaign directory recorded, so resuming or replaying needs none of them again; only
/// a new campaign takes the defaults ([`Params`]).
#[derive(Debug, Args)]
pub struct InjectArgs {
    /// Execution mode under test: plain (default), encoded or dual.
    #[arg(long, value_parser = Mode::parse)]
    pub mode: Option<Mode>,

    /// How many injections the whole campaign has (ids 0..N, shared by all shards; default
    /// 1000); resuming with a larger N grows the campaign.
    #[arg(long, value_name = "N")]
    pub faults: Option<u64>,

    /// The campaign seed (default 1): every injection derives from (seed, id) alone.
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,

    /// The campaign directory (created, or resumed if it holds the same campaign; the
    /// campaign options not given take its recorded values).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,

    /// Run only shard i of N (0-based): the ids with id % N == i (default: all ids).
    #[arg(long, value_name = "i/N", value_parser = Shard::parse)]
    pub shard: Option<Shard>,

    /// Re-run injection ID alone and print where the flip went and what it became (with the
    /// campaign's recorded options).
    #[arg(long, value_name = "ID")]
    pub replay: Option<u64>,

    /// The check level of an encoded campaign: op, block (default) or effects.
    #[arg(long, value_name = "LEVEL", value_parser = Check::parse)]
    pub check: Option<Check>,

    /// The memory protection of an encoded campaign, as `wasmrel run --memory-protection`:
    /// crc (default), dup or none.
    #[arg(long, value_name = "KIND", value_parser = MemoryProtection::parse)]
    pub memory_protection: Option<MemoryProtection>,

    /// The replicas of a dual campaign: plain,inverted (default) or plain,encoded.
    #[arg(long, value_name = "A,B", value_parser = Second::parse)]
    pub replicas: Option<Second>,

    /// Bits flipped per fault (1 to 8, distinct bits of one location; default 1).
    #[arg(long, value_name = "K")]
    pub bits: Option<u32>,

    /// How injections are spread over the location classes: equal (the default: the same
    /// number per class), fault-space (in proportion to each class's bits: uniform over the
    /// whole fault space, the fewest samples for a campaign's absolute SDC estimate) or
    /// class:NAME (every injection in class NAME, a stratum: `report` pools its samples
    /// with those of the whole campaign of the same app and mode in that class).
    #[arg(long, value_name = "HOW", value_parser = Sampling::parse)]
    pub sampling: Option<Sampling>,

    /// A run is a hang when it uses F times the golden run's instructions (default 10).
    #[arg(long, value_name = "F")]
    pub hang_factor: Option<u64>,

    /// Call this export (after `_initialize`) instead of `_start`; the words after the
    /// module are its arguments.
    #[arg(long, value_name = "NAME")]
    pub invoke: Option<String>,

    /// Set a guest environment variable.
    #[arg(long = "env", value_name = "NAME=VALUE", value_parser = crate::args::parse_env)]
    pub envs: Vec<(String, String)>,

    /// Grant the guest a host directory, under the name GUEST (default: the host path).
    /// Every run works on its own copy; what the directory holds at the end is part of the
    /// observable behaviour.
    #[arg(long = "dir", value_name = "HOST[::GUEST]", value_parser = crate::args::parse_dir)]
    pub dirs: Vec<crate::args::DirGrant>,

    /// Checkpoints of the golden run that injected runs restart from and end early at
    /// (0: every run from the start to its end; the outcomes are the same).
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub checkpoints: u64,

    /// Stop after K injections of this invocation (the campaign resumes with the same
    /// command): lets a script grow several campaigns in rounds.
    #[arg(long, value_name = "K")]
    pub stop_after: Option<u64>,

    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,

    /// The module, then the guest's arguments (verbatim, as for `run`).
    #[arg(value_name = "MODULE", required = true, trailing_var_arg = true)]
    pub module_and_args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard directories of one campaign.
    #[arg(value_name = "SHARD_DIR", required = true)]
    pub shards: Vec<PathBuf>,

    /// The merged campaign directory (must not exist).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

fn fail(message: String) -> ExitCode {
    eprintln!("wasmrel: error: {message}");
    ExitCode::from(126)
}

pub fn inject_command(args: &InjectArgs) -> ExitCode {
    match run_inject(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(message),
    }
}

/// The parameters of a campaign: each option as given, else as the campaign directory
/// recorded it, else its default. Check level, memory protection and replicas are taken
/// from the record only in the recorded mode (they belong to it).
struct Params {
    mode: Mode,
    faults: u64,
    seed: u64,
    bits: u32,
    hang_factor: u64,
    sampling: Sampling,
    shard: Shard,
    check: Option<Check>,
    memory_protection: Option<MemoryProtection>,
    replicas: Option<Second>,
}

impl Params {
    fn new(args: &InjectArgs, recorded: Option<&CampaignFile>) -> Params {
        let spec = recorded.map(|file| &file.spec);
        let mode = args.mode.or(spec.map(|s| s.mode)).unwrap_or(Mode::Plain);
        let same_mode = spec.filter(|s| s.mode == mode);
        Params {
            mode,
            faults: args.faults.or(spec.map(|s| s.faults)).unwrap_or(1000),
            seed: args.seed.or(spec.map(|s| s.seed)).unwrap_or(1),
            bits: args.bits.or(spec.map(|s| s.bits)).unwrap_or(1),
            hang_factor: args
                .hang_factor
                .or(spec.map(|s| s.hang_factor))
                .unwrap_or(10),
            sampling: args
                .sampling
                .or(spec.map(|s| s.sampling))
                .unwrap_or_default(),
            shard: args
                .shard
                .or(recorded.map(|f| f.shard))
                .unwrap_or(Shard::WHOLE),
            check: args.check.or(same_mode.and_then(|s| s.check)),
            memory_protection: args
                .memory_protection
                .or(same_mode.and_then(|s| s.memory())),
            replicas: args.replicas.or(same_mode.and_then(|s| s.replicas)),
        }
    }
}

fn load_app(args: &InjectArgs, params: &Params) -> Result<App, String> {
    let (path, guest_args) = args
        .module_and_args
        .split_first()
        .ok_or("no module given")?;
    let bytes = read_module(Path::new(path))?;
    let mut app = App::new(path, bytes, guest_args.to_vec(), None)?;
    app.envs.clone_from(&args.envs);
    for grant in &args.dirs {
        if !grant.host.is_dir() {
            return Err(format!("--dir {}: not a directory", grant.host.display()));
        }
        app.dirs.push((grant.host.clone(), grant.guest.clone()));
    }
    let mode = params.mode;
    if args.check.is_some() && mode != Mode::Encoded {
        return Err("--check needs --mode encoded".into());
    }
    app.check = params.check.unwrap_or_default();
    if args.memory_protection.is_some() && mode != Mode::Encoded {
        return Err("--memory-protection needs --mode encoded".into());
    }
    app.config.memory_protection = params.memory_protection.map(MemoryProtection::protection);
    if args.replicas.is_some() && mode != Mode::Dual {
        return Err("--replicas needs --mode dual".into());
    }
    app.second = params.replicas.unwrap_or_default();
    if let Some(name) = &args.invoke {
        app.invoke = Some((name.clone(), invoke_values(&app, name, guest_args)?));
    }
    Ok(app)
}

fn invoke_values(app: &App, name: &str, texts: &[String]) -> Result<Vec<Value>, String> {
    let ty = app
        .module
        .exports()
        .find_map(|e| match e.ty {
            ExternType::Func(ty) if e.name == name => Some(ty),
            _ => None,
        })
        .ok_or_else(|| format!("the module exports no function `{name}`"))?;
    if ty.params().len() != texts.len() {
        return Err(format!(
            "`{name}` takes {} argument(s), got {}",
            ty.params().len(),
            texts.len()
        ));
    }
    ty.params()
        .iter()
        .zip(texts)
        .map(|(&param, text)| values::parse(text, param))
        .collect()
}

fn run_inject(args: &InjectArgs) -> Result<(), String> {
    if args.stop_after == Some(0) {
        return Err("--stop-after must be at least 1".into());
    }
    let out = args.out.clone().ok_or("--out DIR is required")?;
    let recorded = if out.join(CAMPAIGN).exists() {
        Some(read_campaign(&out)?)
    } else {
        None
    };
    let params = Params::new(args, recorded.as_ref());
    let app = load_app(args, &params)?;
    let options = CampaignOptions {
        mode: params.mode,
        faults: params.faults,
        seed: params.seed,
        bits: params.bits,
        hang_factor: params.hang_factor,
        sampling: params.sampling,
        jobs: args.jobs.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        }),
        shard: params.shard,
        progress: !args.quiet,
        stop_after: args.stop_after,
        checkpoints: args.checkpoints,
    };
    if let Some(id) = args.replay {
        // The campaign's ids, not those an explicit (and refused) --faults would give it.
        let faults = recorded.map_or(options.faults, |file| file.spec.faults);
        return replay(app, &options, &out, id, faults);
    }
    let mut campaign = Campaign::open(app, &options, &out)?;
    let before = campaign.done.len();
    let pending = campaign.pending().len();
    let golden = &campaign.golden;
    eprintln!(
        "wasmrel: campaign {}: golden run {} instructions, {:.3} ms; {} done, {pending} to run",
        out.display(),
        golden.length,
        golden.time_ns as f64 / 1e6,
        before
    );
    let start = std::time::Instant::now();
    let written = campaign.run(&options)?;
    let seconds = start.elapsed().as_secs_f64();
    eprintln!(
        "wasmrel: {written} injections in {seconds:.1} s ({:.0}/s; {} restarted from a checkpoint, {} ended early at one); {} results in {}",
        written as f64 / seconds.max(1e-9),
        campaign.restarted,
        campaign.ended_early,
        campaign.done.len(),
        out.join("results.jsonl").display()
    );
    Ok(())
}

/// Re-runs one injection with its trace; compares with the recorded outcome if any.
fn replay(
    app: App,
    options: &CampaignOptions,
    out: &Path,
    id: u64,
    faults: u64,
) -> Result<(), String> {
    if id >= faults {
        return Err(format!("--replay {id}: the campaign has ids 0..{faults}"));
    }
    let recorded = if out.join("results.jsonl").exists() {
        read_results(out, false)?.into_iter().find(|r| r.id == id)
    } else {
        None
    };
    let campaign = Campaign::open(app, options, out)?;
    let fault = campaign.fault(id);
    let spec = &campaign.file.spec;
    let (record, progress) = inject(
        &campaign.app,
        spec.mode,
        &campaign.golden,
        fault,
        spec.hang_factor,
    );
    println!(
        "injection {id}: class {} at t={} ({} bit(s))",
        record.class.as_str(),
        record.t,
        record.bits
    );
    println!(
        "  where: {}",
        progress
            .trace
            .as_deref()
            .unwrap_or("not reached (the run ended before t)")
    );
    println!(
        "  outcome: {} after {} instructions",
        record.outcome, record.fuel
    );
    if let Some(detail) = &record.detail {
        println!("  detail: {detail}");
    }
    match recorded {
        // The detail text may be worded differently by another tool version.
        Some(old) if (old.outcome, old.fuel, old.t) == (record.outcome, record.fuel, record.t) => {
            println!("  matches the recorded result")
        }
        Some(old) => {
            return Err(format!(
                "replay of {id} gave {} but the campaign recorded {}",
                record.outcome, old.outcome
            ))
        }
        // A packed campaign keeps the outcome alone.
        None => match read_samples(out, spec)?.iter().find(|s| s.id == id) {
            Some(old) if old.outcome == record.outcome => {
                println!("  matches the recorded (packed) outcome")
            }
            Some(old) => {
                return Err(format!(
                    "replay of {id} gave {} but the campaign recorded {} (packed)",
                    record.outcome, old.outcome
                ))
            }
            None => println!("  (no recorded result for this id)"),
        },
    }
    Ok(())
}

pub fn merge_command(args: &MergeArgs) -> ExitCode {
    match wasmrel_fault_inject::merge::merge(&args.shards, &args.out) {
        Ok((count, incomplete)) => {
            eprintln!(
                "wasmrel: merged {count} results into {}",
                args.out.display()
            );
            for shard in incomplete {
                eprintln!("wasmrel: warning: shard {shard} is incomplete");
            }
            ExitCode::SUCCESS
        }
        Err(message) => fail(message),
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Campaign directories (any apps and modes; plain campaigns are the reference).
    #[arg(value_name = "CAMPAIGN_DIR", required = true)]
    pub campaigns: Vec<PathBuf>,

    /// Where to write report.md, report.html, report.json, the CSV files and the plot.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

pub fn report_command(args: &ReportArgs) -> ExitCode {
    let written = wasmrel_fault_inject::report::analyse(&args.campaigns).and_then(|report| {
        // The report says so too, but a script's reader may not open it.
        for c in report.campaigns.iter().filter(|c| c.completed < c.planned) {
            eprintln!(
                "wasmrel: warning: campaign {} ({} {}) is incomplete: {} of {} planned faults done",
                c.dir, c.app, c.variant, c.completed, c.planned
            );
        }
        for dir in &report.repeated {
            eprintln!("wasmrel: warning: {dir} was given more than once; counted once");
        }
        wasmrel_fault_inject::report::write(&report, &args.out)
    });
    match written {
        Ok(()) => {
            eprintln!(
                "wasmrel: report in {}",
                args.out.join("report.md").display()
            );
            ExitCode::SUCCESS
        }
        Err(message) => fail(message),
    }
}

#[derive(Debug, Args)]
pub struct PackArgs {
    /// Campaign directories to pack (results.jsonl is merged into results.packed and kept).
    #[arg(value_name = "CAMPAIGN_DIR", required = true)]
    pub campaigns: Vec<PathBuf>,
}

pub fn pack_command(args: &PackArgs) -> ExitCode {
    for dir in &args.campaigns {
        match wasmrel_fault_inject::packed::pack(dir) {
            Ok(count) => eprintln!(
                "wasmrel: {count} outcomes in {}",
                dir.join(wasmrel_fault_inject::packed::PACKED).display()
            ),
            Err(message) => return fail(message),
        }
    }
    ExitCode::SUCCESS
}
