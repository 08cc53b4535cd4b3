//! Execution time of every benchmark program's `run` export: wasmrel plain against wasmi in
//! eager and lazy translation mode, with fuel metering off and on. Each runner checks that it
//! computes the same checksum as wasmrel before it is timed.

use criterion::{criterion_group, criterion_main, Criterion};
use wasmi::CompilationMode;
use wasmrel_benches::{programs, Metering, WasmiRunner, WasmrelRunner};

fn execute(c: &mut Criterion) {
    let programs = programs().expect("benchmark programs are readable");
    for metering in [Metering::Off, Metering::On] {
        for program in &programs {
            let mut group = c.benchmark_group(format!("{}/fuel-{metering:?}", program.name));
            let mut wasmrel = WasmrelRunner::new(&program.bytes, metering).expect("wasmrel loads");
            let expected = wasmrel.run().expect("wasmrel runs");
            group.bench_function("wasmrel", |b| b.iter(|| wasmrel.run().expect("runs")));
            for (label, mode) in [
                ("wasmi-eager", CompilationMode::Eager),
                ("wasmi-lazy", CompilationMode::Lazy),
            ] {
                let mut wasmi = WasmiRunner::new(&program.bytes, mode, metering).expect("loads");
                assert_eq!(
                    wasmi.run().expect("wasmi runs"),
                    expected,
                    "{}",
                    program.name
                );
                group.bench_function(label, |b| b.iter(|| wasmi.run().expect("runs")));
            }
            group.finish();
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = execute
}
criterion_main!(benches);
