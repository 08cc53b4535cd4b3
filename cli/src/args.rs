//! The command line, following wasmtime's conventions: options before the module, and
//! everything after the module path belongs to the guest.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::outcome::{Outcome, Report};

#[derive(Debug, Parser)]
#[command(
    name = "wasmrel",
    version,
    about = "A WebAssembly runtime built to survive hardware faults"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a WASI command (`_start`), or call one export with --invoke.
    #[command(
        override_usage = "wasmrel run [OPTIONS] <MODULE> [ARGS]...",
        after_help = RUN_EXIT_STATUS
    )]
    Run(RunArgs),
    /// Check that a module decodes and validates, without running it.
    Validate(ValidateArgs),
    /// Run a fault-injection campaign (resumable, shardable) into a campaign directory.
    #[command(override_usage = "wasmrel inject [OPTIONS] --out <DIR> <MODULE> [ARGS]...")]
    Inject(crate::inject::InjectArgs),
    /// Join the shard directories of one campaign.
    Merge(crate::inject::MergeArgs),
    /// Tables, extrapolated failure counts and plots from campaign directories.
    Report(crate::inject::ReportArgs),
    /// Write each campaign's outcomes to results.packed, one character per id (for keeping
    /// large campaigns small; `report` and resuming read it).
    Pack(crate::inject::PackArgs),
}

/// The exit codes of `wasmrel run`, shown under its help.
const RUN_EXIT_STATUS: &str = "\
Exit status:
  0-125  the guest's own exit code (a larger one becomes 125, with a warning)
  126    usage error, unreadable file, invalid module or link error
  128    a limit was reached (--fuel, --max-memory, --max-table-elements, --max-call-depth,
         --max-stack)
  134    the guest trapped
  135    a fault was detected (--encoded): `wasmrel: detected: <mechanism> at <function>+<offset>`
  136    internal error
Every outcome but the guest's own exit prints one line `wasmrel: <outcome>: <detail>`.";

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Call this export instead of `_start` (after `_initialize`, if the module has one) and
    /// print its results, one per line. The words after the module are its arguments:
    /// integers in decimal, floats in decimal or as `inf`, `-inf`, `nan`, `nan:0x<bits>`.
    #[arg(long, value_name = "NAME")]
    pub invoke: Option<String>,

    /// Grant the guest a host directory, under the name GUEST (default: the host path).
    #[arg(long = "dir", value_name = "HOST[::GUEST]", value_parser = parse_dir)]
    pub dirs: Vec<DirGrant>,

    /// Set a guest environment variable (the host environment is not passed through).
    #[arg(long = "env", value_name = "NAME=VALUE", value_parser = parse_env)]
    pub envs: Vec<(String, String)>,

    #[command(flatten)]
    pub limits: LimitArgs,

    /// Encoded execution: carry every Wasm value as an AN code word (stack, locals, globals,
    /// arguments, results) and check it wherever it leaves the code. A failed check ends the
    /// run with exit code 135; the program's output is the same as in plain mode.
    #[arg(long)]
    pub encoded: bool,

    /// Run two replicas in lockstep, compared at every host call and at the end (the host
    /// call runs once); a disagreement ends the run as detected (exit 135).
    #[arg(long, conflicts_with = "encoded")]
    pub dual: bool,

    /// The replicas of --dual: `plain,inverted` (default: a copy holding every value
    /// bit-inverted) or `plain,encoded`.
    #[arg(long, value_name = "A,B", requires = "dual", value_parser = crate::dual::parse_replicas)]
    pub replicas: Option<crate::dual::Replicas>,

    /// How often encoded execution checks: `op` every operand when it is used, `block`
    /// where values leave the code and at block boundaries, `effects` only before effects
    /// (stores, host calls, branches, returns).
    #[arg(long, value_enum, value_name = "LEVEL", default_value_t = CheckLevel::Block, requires = "encoded")]
    pub check: CheckLevel,

    /// How encoded execution protects linear memory: `crc` (a CRC-8 per aligned 8-byte word,
    /// checked on every load), `dup` (a shadow copy compared on every load; not counted
    /// against --max-memory) or `none`.
    #[arg(long, value_enum, value_name = "KIND", default_value_t = MemoryProtection::Crc, requires = "encoded")]
    pub memory_protection: MemoryProtection,

    /// Run in the Linux kernel module (`kmod/`) instead of this process: same output, results,
    /// outcome lines and exit codes. Not with --dir or --deterministic.
    #[arg(long)]
    pub kernel: bool,

    /// The kernel module's device node.
    #[arg(
        long,
        value_name = "PATH",
        requires = "kernel",
        default_value = "/dev/wasmrel"
    )]
    pub device: String,

    /// Make the run reproducible: clocks start at 2000-01-01 and advance 1 ns per executed
    /// instruction, `random_get` draws from a PRNG seeded with --seed.
    #[arg(long)]
    pub deterministic: bool,

    /// The seed of `random_get` in deterministic mode.
    #[arg(
        long,
        value_name = "N",
        requires = "deterministic",
        default_value_t = 0
    )]
    pub seed: u64,

    /// At exit, print one JSON object on stderr: outcome, exit code, fuel used, detail.
    #[arg(long)]
    pub json: bool,

    /// The module (`.wasm` binary or `.wat` text), then the guest's arguments. Only the
    /// words after the module are taken verbatim (dashes and all): an unknown option before
    /// it is a usage error, not a module path (a module named `-x` is given as `-- -x`).
    #[arg(value_name = "MODULE", required = true, trailing_var_arg = true)]
    pub module_and_args: Vec<String>,
}

/// `--check`: see [`RunArgs::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckLevel {
    Op,
    Block,
    Effects,
}

/// `--memory-protection`: see [`RunArgs::memory_protection`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MemoryProtection {
    None,
    Crc,
    Dup,
}

/// Limits of the run; exceeding one ends it with exit code 128.
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Stop after N executed Wasm instructions.
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,

    /// The largest a linear memory may grow (bytes, or with a KiB/MiB/GiB suffix). Growing
    /// past it ends the run with a limit error (exit 128): `memory.grow` does not return -1
    /// as at the module's own maximum, so a runaway allocation is reported, not handed back.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_memory: Option<u64>,

    /// The most elements a table may hold.
    #[arg(long, value_name = "N")]
    pub max_table_elements: Option<u32>,

    /// The deepest nesting of Wasm calls (default 100 000). Each live call keeps a 12-byte
    /// frame (16 in encoded mode) besides its stack slots, which `--max-stack` bounds: a
    /// depth far above the default lets a recursion take that much memory per call.
    #[arg(long, value_name = "N")]
    pub max_call_depth: Option<u32>,

    /// The size of the value stack (locals and operands of all live calls), in bytes or with
    /// a KiB/MiB/GiB suffix.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_stack: Option<u64>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The module (`.wasm` binary or `.wat` text).
    #[arg(value_name = "MODULE")]
    pub module: PathBuf,
}

/// One `--dir`: a host directory and the name the guest sees it under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirGrant {
    pub host: PathBuf,
    pub guest: String,
}

pub(crate) fn parse_dir(text: &str) -> Result<DirGrant, String> {
    let (host, guest) = text.split_once("::").unwrap_or((text, text));
    if host.is_empty() || guest.is_empty() {
        return Err(format!("`{text}`: expected HOST or HOST::GUEST"));
    }
    Ok(DirGrant {
        host: PathBuf::from(host),
        guest: guest.to_owned(),
    })
}

pub(crate) fn parse_env(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("`{text}`: expected NAME=VALUE")),
    }
}

/// A byte count: a number with an optional `K`/`KiB`, `M`/`MiB`, `G`/`GiB` suffix (powers
/// of 1024, any case; a trailing `B` alone means bytes).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, suffix) = text.split_at(split);
    let unit: u64 = match suffix.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        _ => return Err(format!("`{text}`: unknown size unit (use KiB, MiB or GiB)")),
    };
    let count: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}`: expected a number with an optional KiB/MiB/GiB suffix"))?;
    count
        .checked_mul(unit)
        .ok_or_else(|| format!("`{text}`: too large"))
}

/// Ends the process for a command line clap rejected: help and version go to stdout with
/// exit 0; a usage error becomes one `wasmrel: error:` line and exit 126, like every other
/// error outcome.
pub fn usage_error(error: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
        let code = if error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
            126
        } else {
            0
        };
        return ExitCode::from(code);
    }
    // clap's first paragraph is the message; some continue it on indented lines (the
    // missing arguments), which belong to the one line too. Its `tip:` lines (the similar
    // option a typo meant, how to pass a value starting with `-`) are kept as well.
    let rendered = error.render().to_string();
    let paragraph: Vec<&str> = rendered
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .map(str::trim)
        .collect();
    let first = paragraph.join(" ");
    let mut message = first.strip_prefix("error: ").unwrap_or(&first).to_owned();
    for tip in rendered
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("tip: "))
    {
        message.push_str("; ");
        message.push_str(tip);
    }
    Outcome::Error(format!("{message} (see `wasmrel --help`)")).report(false, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("123"), Ok(123));
        assert_eq!(parse_size("64KiB"), Ok(64 << 10));
        assert_eq!(parse_size("64k"), Ok(64 << 10));
        assert_eq!(parse_size("2MiB"), Ok(2 << 20));
        assert_eq!(parse_size("3gib"), Ok(3 << 30));
        assert_eq!(parse_size("7B"), Ok(7));
        assert!(parse_size("").is_err());
        assert!(parse_size("MiB").is_err());
        assert!(parse_size("1.5MiB").is_err());
        assert!(parse_size("10TiB").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("99999999999999GiB").is_err());
    }

    #[test]
    fn dirs_and_envs_split_once() {
        assert_eq!(
            parse_dir("/tmp/x::/data"),
            Ok(DirGrant {
                host: "/tmp/x".into(),
                guest: "/data".into()
            })
        );
        assert_eq!(parse_dir("out").map(|d| d.guest), Ok("out".to_owned()));
        assert!(parse_dir("::guest").is_err());
        assert_eq!(parse_env("A=b=c"), Ok(("A".to_owned(), "b=c".to_owned())));
        assert_eq!(parse_env("EMPTY="), Ok(("EMPTY".to_owned(), String::new())));
        assert!(parse_env("NOVALUE").is_err());
        assert!(parse_env("=x").is_err());
    }

    #[test]
    fn guest_arguments_keep_their_dashes() {
        let cli = Cli::try_parse_from([
            "wasmrel", "run", "--env", "A=1", "app.wasm", "--json", "-x", "--", "y",
        ])
        .unwrap();
        let Command::Run(run) = cli.command else {
            panic!("expected run");
        };
        assert!(!run.json);
        assert_eq!(run.module_and_args, ["app.wasm", "--json", "-x", "--", "y"]);
    }

    fn run_words(words: &[&str]) -> Vec<String> {
        let cli = Cli::try_parse_from(["wasmrel", "run"].iter().chain(words)).unwrap();
        let Command::Run(run) = cli.command else {
            panic!("expected run");
        };
        run.module_and_args
    }

    #[test]
    fn guest_arguments_may_look_like_help() {
        assert_eq!(
            run_words(&["app.wasm", "--help", "-x"]),
            ["app.wasm", "--help", "-x"]
        );
        assert_eq!(
            run_words(&["--invoke", "f", "m.wasm", "-5"]),
            ["m.wasm", "-5"]
        );
    }

    #[test]
    fn an_unknown_option_before_the_module_is_not_the_module() {
        for words in [
            ["wasmrel", "run", "--encode", "fmt.wasm"],
            ["wasmrel", "inject", "--bogus", "x.wasm"],
        ] {
            let error = Cli::try_parse_from(words).unwrap_err();
            assert_eq!(error.kind(), clap::error::ErrorKind::UnknownArgument);
        }
    }

    #[test]
    fn a_module_named_like_an_option_follows_a_double_dash() {
        assert_eq!(
            run_words(&["--json", "--", "-app.wasm", "-x"]),
            ["-app.wasm", "-x"]
        );
    }

    #[test]
    fn seed_requires_deterministic() {
        assert!(Cli::try_parse_from(["wasmrel", "run", "--seed", "3", "a.wasm"]).is_err());
    }
}
