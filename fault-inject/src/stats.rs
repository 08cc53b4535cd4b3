//! Interval estimates for sampled fault-injection outcomes.
//!
//! Campaigns sample the fault space; a fraction is reported with its 95 % Wilson score
//! interval, and zero observed events with the exact one-sided bound `1 - 0.05^(1/N)`
//! (about 3/N, the "rule of three").

/// The 95 % two-sided normal quantile.
const Z: f64 = 1.959_963_984_540_054;

/// A sampled fraction with its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Estimate {
    pub count: u64,
    pub samples: u64,
    pub fraction: f64,
    pub low: f64,
    pub high: f64,
}

/// Estimates the fraction `count / samples`: Wilson's interval, and for 0 events the
/// exact one-sided 95 % upper bound.
pub fn estimate(count: u64, samples: u64) -> Estimate {
    if samples == 0 {
        return Estimate {
            count,
            samples,
            fraction: 0.0,
            low: 0.0,
            high: 1.0,
        };
    }
    let n = samples as f64;
    let p = count as f64 / n;
    let (low, high) = if count == 0 {
        (0.0, 1.0 - 0.05f64.powf(1.0 / n))
    } else {
        let denominator = 1.0 + Z * Z / n;
        let centre = (p + Z * Z / (2.0 * n)) / denominator;
        let half = Z * (p * (1.0 - p) / n + Z * Z / (4.0 * n * n)).sqrt() / denominator;
        ((centre - half).max(0.0), (centre + half).min(1.0))
    };
    Estimate {
        count,
        samples,
        fraction: p,
        low,
        high,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_events_give_the_rule_of_three() {
        let e = estimate(0, 1000);
        assert!((e.high - 0.002_991).abs() < 1e-5, "{e:?}");
        assert!((e.high * 1000.0 - 3.0).abs() < 0.01);
    }

    #[test]
    fn wilson_matches_a_worked_value() {
        // 10 of 100: Wilson 95 % interval is [0.0552, 0.1744].
        let e = estimate(10, 100);
        assert!(
            (e.low - 0.0552).abs() < 1e-3 && (e.high - 0.1744).abs() < 1e-3,
            "{e:?}"
        );
        let all = estimate(50, 50);
        assert!(all.high == 1.0 && all.low > 0.9);
    }
}
