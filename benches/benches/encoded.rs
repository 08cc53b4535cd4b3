//! The cost of the hardened modes: every benchmark program's `run` export in wasmrel plain
//! mode, encoded mode (AN-coded values, `wasmrel_an_encoding::An`) at the default check level
//! and at `op` level, and dual execution with the default replicas (plain and inverted plain in
//! lockstep), fuel metering off. Each must compute plain's checksum before it is timed; the
//! ratios to plain are the overheads quoted in issue 6 (targets: encoded at most 3x, dual at
//! most 2.2x).

use criterion::{criterion_group, criterion_main, Criterion};
use wasmrel_an_encoding::{level, An};
use wasmrel_benches::{programs, DomainRunner, DualRunner, Metering};
use wasmrel_executor::Plain;

fn encoded(c: &mut Criterion) {
    let programs = programs().expect("benchmark programs are readable");
    for program in &programs {
        let mut group = c.benchmark_group(format!("{}/encoded", program.name));
        let bytes = &program.bytes;
        let mut plain = DomainRunner::<Plain>::new(bytes, Metering::Off).expect("plain loads");
        let mut encoded = DomainRunner::<An>::new(bytes, Metering::Off).expect("encoded loads");
        let mut every_operand =
            DomainRunner::<An<{ level::OP }>>::new(bytes, Metering::Off).expect("encoded loads");
        let mut dual = DualRunner::new(bytes, Metering::Off).expect("dual loads");
        let expected = plain.run().expect("plain runs");
        assert_eq!(dual.run().expect("dual runs"), expected, "{}", program.name);
        assert_eq!(
            encoded.run().expect("encoded runs"),
            expected,
            "{}",
            program.name
        );
        assert_eq!(
            every_operand.run().expect("runs"),
            expected,
            "{}",
            program.name
        );
        group.bench_function("plain", |b| b.iter(|| plain.run().expect("runs")));
        group.bench_function("an", |b| b.iter(|| encoded.run().expect("runs")));
        group.bench_function("an-check-op", |b| {
            b.iter(|| every_operand.run().expect("runs"))
        });
        group.bench_function("dual", |b| b.iter(|| dual.run().expect("runs")));
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = encoded
}
criterion_main!(benches);
