//! Module translation time: decode, validate and translate every benchmark program (its WASI
//! build, the larger module) in wasmrel and in wasmi's eager mode, which also translates
//! every function up front.

use criterion::{criterion_group, criterion_main, Criterion};
use wasmrel_benches::programs_dir;

fn translate(c: &mut Criterion) {
    let mut wasi_builds: Vec<_> = std::fs::read_dir(programs_dir())
        .expect("benchmark programs are readable")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            let name = path.to_string_lossy();
            name.ends_with(".wasm") && !name.ends_with(".run.wasm")
        })
        .collect();
    wasi_builds.sort();
    let wasmi_engine = {
        let mut config = wasmi::Config::default();
        config.compilation_mode(wasmi::CompilationMode::Eager);
        wasmi::Engine::new(&config)
    };
    let wasmrel_config = wasmrel_executor::Config::default();
    for path in wasi_builds {
        let bytes = std::fs::read(&path).expect("readable");
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let mut group = c.benchmark_group(format!("translate/{name}"));
        group.bench_function("wasmrel", |b| {
            b.iter(|| wasmrel_executor::Module::new(&wasmrel_config, &bytes).expect("valid"))
        });
        group.bench_function("wasmi-eager", |b| {
            b.iter(|| wasmi::Module::new(&wasmi_engine, &bytes).expect("valid"))
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = translate
}
criterion_main!(benches);
