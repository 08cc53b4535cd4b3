//! Rough cost of encoded operations against plain ones, for tuning (not a benchmark to quote:
//! it times dependent chains of one operation in a loop, with no interpreter around them).
//!
//! ```text
//! cargo run --release -p wasmrel-an-encoding --example op_cost [-- ROUNDS]
//! ```

use std::env;
use std::hint::black_box;
use std::time::Instant;

use wasmrel_an_encoding::{F64Code, I32Code, I64Code};

/// Nanoseconds per round of `step`, which is applied to its own result `rounds` times.
fn time<T: Copy>(rounds: u32, start: T, step: impl Fn(T) -> T) -> f64 {
    let begin = Instant::now();
    let mut value = black_box(start);
    for _ in 0..rounds {
        value = step(black_box(value));
    }
    black_box(value);
    begin.elapsed().as_nanos() as f64 / f64::from(rounds)
}

fn row(name: &str, plain: f64, encoded: f64) {
    println!(
        "{name:<22} {plain:7.2} ns {encoded:7.2} ns  {:5.1}x",
        encoded / plain
    );
}

fn main() {
    let rounds = env::args()
        .nth(1)
        .and_then(|r| r.parse().ok())
        .unwrap_or(20_000_000);
    let (three, five) = (I32Code::encode(3), I32Code::encode(5));
    let (three64, five64) = (I64Code::encode(3), I64Code::encode(5));
    println!("operation              plain      encoded     ratio");
    row(
        "i32.add",
        time(rounds, 1u32, |x| x.wrapping_add(3)),
        time(rounds, five, |x| x.add(three)),
    );
    row(
        "i64.add",
        time(rounds, 1u64, |x| x.wrapping_add(3)),
        time(rounds, five64, |x| x.add(three64)),
    );
    row(
        "i32.lt_s + add",
        time(rounds, 1u32, |x| x.wrapping_add(u32::from((x as i32) < 5))),
        time(rounds, five, |x| x.add(x.lt_s(five))),
    );
    row(
        "i64.eq + branch",
        time(rounds, 1u64, |x| if x == 5 { x } else { x + 1 }),
        time(rounds, five64, |x| match x.eq(five64).is_true() {
            Ok(true) => x,
            _ => x.add(three64),
        }),
    );
    row(
        "i32.mul",
        time(rounds, 1u32, |x| x.wrapping_mul(3)),
        time(rounds, five, |x| x.mul(three)),
    );
    row(
        "i32.xor (Δ)",
        time(rounds, 1u32, |x| x ^ 3),
        time(rounds, five, |x| x.xor(three).unwrap_or(x)),
    );
    row(
        "i64.shl (Δ)",
        time(rounds, 1u64, |x| x.rotate_left(3)),
        time(rounds, five64, |x| x.rotl(three64).unwrap_or(x)),
    );
    let half = F64Code::encode(0.5);
    row(
        "f64.mul (Δ)",
        time(rounds, 1.5f64, |x| x * 0.5),
        time(rounds, F64Code::encode(1.5), |x| x.mul(half).unwrap_or(x)),
    );
}
