//! `wasmrel-difftest-shrink CASE.wasm SEED|zero OUT.wasm [ATTEMPTS]`: minimises a module on
//! which wasmi diverges from wasmrel (plain) while wasmtime agrees with wasmrel, keeping both
//! true (`wasm-shrink`'s reducer with the predicate of [`judge`]), and writes the smallest
//! module found. Export arguments are drawn from SEED as in `wasmrel-difftest` (`zero`: zero
//! arguments). wasmtime runs in `tools/wasmtime_observe.py --serve` (`pip install wasmtime`).

mod judge;

use std::process::ExitCode;

use wasmrel_difftest::generate::Arguments;

fn main() -> ExitCode {
    let words: Vec<String> = std::env::args().skip(1).collect();
    let [case, seed, out, rest @ ..] = words.as_slice() else {
        eprintln!("usage: wasmrel-difftest-shrink CASE.wasm SEED|zero OUT.wasm [ATTEMPTS]");
        return ExitCode::from(2);
    };
    let arguments = match seed.as_str() {
        "zero" => Arguments::Zero,
        seed => match seed.parse() {
            Ok(seed) => Arguments::Seeded(seed),
            Err(error) => {
                eprintln!("wasmrel-difftest-shrink: seed {seed}: {error}");
                return ExitCode::from(2);
            }
        },
    };
    let attempts = rest.first().and_then(|n| n.parse().ok()).unwrap_or(2000);
    match shrink(case, arguments, out, attempts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("wasmrel-difftest-shrink: {message}");
            ExitCode::FAILURE
        }
    }
}

fn shrink(case: &str, arguments: Arguments, out: &str, attempts: u32) -> Result<(), String> {
    let bytes = std::fs::read(case).map_err(|e| format!("{case}: {e}"))?;
    let mut judge = judge::Judge::start(arguments)?;
    let divergence = judge
        .wasmi_alone_wrong(&bytes, None)?
        .ok_or("the module does not show wasmi alone diverging (wasmtime sides with wasmi, or no divergence)")?;
    println!("divergence: {divergence}");
    let info = wasm_shrink::WasmShrink::default()
        .attempts(attempts)
        .run(bytes, |candidate| {
            let same = judge
                .wasmi_alone_wrong(candidate, Some(&divergence))
                .map_err(anyhow::Error::msg)?;
            Ok::<bool, anyhow::Error>(same.is_some())
        })
        .map_err(|e| e.to_string())?;
    std::fs::write(out, &info.output).map_err(|e| format!("{out}: {e}"))?;
    println!(
        "{case}: {} bytes -> {out}: {} bytes",
        info.input_size, info.output_size
    );
    Ok(())
}
