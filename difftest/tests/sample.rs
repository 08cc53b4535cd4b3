//! A fixed-seed sample of generated modules, export calls given arguments drawn from each
//! seed: wasmrel (plain, encoded and dual) must agree with wasmi on every one. (The divergences found so far, all wasmi's errors as a third engine showed,
//! come from seeds outside this sample and are checked in `regressions.rs`.)

use wasmrel_difftest::{check_seed, Outcome};

/// Seeds in the sample; a debug build checks them in well under a minute. (Seed 1969, just
/// above, is a wasmi error kept in `regressions.rs`.)
const MODULES: u64 = 1_500;

#[test]
fn fixed_seed_sample_agrees_with_wasmi() {
    let (mut agreed, mut compared) = (0, 0);
    let mut divergences = Vec::new();
    for seed in 0..MODULES {
        match check_seed(seed) {
            Outcome::NotGenerated => continue,
            Outcome::Agree(_) => agreed += 1,
            Outcome::Diverge(what) => divergences.push(format!("seed {seed}: {what}")),
            Outcome::Inconclusive(_) => {}
        }
        compared += 1;
    }
    assert!(divergences.is_empty(), "{divergences:#?}");
    // Modules not generated or inconclusive prove nothing: nearly the whole sample must be
    // compared and almost all of it conclusive.
    assert!(
        compared >= MODULES * 9 / 10,
        "only {compared} of {MODULES} compared"
    );
    assert!(
        agreed >= compared * 95 / 100,
        "only {agreed} of {compared} agreed"
    );
}
