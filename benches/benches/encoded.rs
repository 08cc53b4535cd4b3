//! Encoded execution's cost: every benchmark program's `run` export in wasmrel plain mode and
//! encoded mode (AN-coded values, `wasmrel_an_encoding::An`) at the default check level and at
//! `op` level, fuel metering off. Each pair
//! must compute the same checksum before it is timed; the ratio of the two times is the
//! encoded-mode overhead quoted in issue 3 (target at most 3x).

use criterion::{criterion_group, criterion_main, Criterion};
use wasmrel_an_encoding::{level, An};
use wasmrel_benches::{programs, DomainRunner, Metering};
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
        let expected = plain.run().expect("plain runs");
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
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = encoded
}
criterion_main!(benches);
