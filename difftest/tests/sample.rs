//! A fixed-seed sample of generated modules: wasmrel (plain and encoded) must agree with wasmi
//! on every one, except on the seeds where a third engine showed wasmi to be wrong (those are
//! checked against the consensus answer in `regressions.rs`).

use wasmrel_difftest::{check_seed, Outcome};

/// Modules in the sample; a debug build checks them in well under a minute.
const MODULES: u64 = 1_500;

/// Seeds of the sample on which wasmi 2.0.0 diverges from wasmrel and wasmtime agrees with
/// wasmrel (see `regressions.rs`).
const WASMI_WRONG: &[u64] = &[1969, 2717];

#[test]
fn fixed_seed_sample_agrees_with_wasmi() {
    let mut agreed = 0;
    let mut divergences = Vec::new();
    for seed in 0..MODULES {
        match check_seed(seed) {
            Outcome::Agree(_) => agreed += 1,
            Outcome::Diverge(what) if !WASMI_WRONG.contains(&seed) => {
                divergences.push(format!("seed {seed}: {what}"))
            }
            Outcome::Diverge(what) => assert!(
                what.starts_with("plain vs wasmi"),
                "seed {seed}: encoded and plain disagree: {what}"
            ),
            Outcome::Inconclusive(_) | Outcome::NotGenerated => {}
        }
    }
    assert!(divergences.is_empty(), "{divergences:#?}");
    // Inconclusive or ungenerated modules prove nothing; almost all must be conclusive.
    assert!(
        agreed >= MODULES * 95 / 100,
        "only {agreed} of {MODULES} agreed"
    );
}
