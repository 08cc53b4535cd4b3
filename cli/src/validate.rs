//! `wasmrel validate`: decode and validate a module without running it.

use wasmrel_executor::{Config, Module};

use crate::args::ValidateArgs;
use crate::load::read_module;
use crate::outcome::Outcome;

/// Succeeds silently (exit 0) for a valid module, like other validators.
pub fn validate(args: &ValidateArgs) -> Outcome {
    let bytes = match read_module(&args.module) {
        Ok(bytes) => bytes,
        Err(message) => return Outcome::Error(message),
    };
    match Module::new(&Config::default(), &bytes) {
        Ok(_) => Outcome::Exit(0),
        Err(error) => Outcome::from_engine(error),
    }
}
