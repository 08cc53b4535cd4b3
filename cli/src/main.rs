//! `wasmrel`: run and validate WebAssembly modules. See `wasmrel --help`.

mod args;
mod dual;
mod inject;
mod kernel;
mod load;
mod outcome;
mod run;
mod validate;
mod values;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use outcome::Report;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return args::usage_error(error),
    };
    match cli.command {
        Command::Run(run) => run::run(&run),
        Command::Validate(target) => validate::validate(&target).report(false, None),
        Command::Inject(inject) => inject::inject_command(&inject),
        Command::Merge(merge) => inject::merge_command(&merge),
        Command::Report(report) => inject::report_command(&report),
        Command::Pack(pack) => inject::pack_command(&pack),
    }
}
