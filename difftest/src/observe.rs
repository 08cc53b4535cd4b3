//! What one engine did with one module, in engine-neutral terms, and how two such records
//! compare.

use std::fmt;

/// A Wasm value as both engines can report it. References are compared by null-ness only:
/// function addresses are each engine's own. Floats compare by bits, except that any NaN
/// equals any NaN: the specification lets a NaN result carry any payload (`nan:canonical`,
/// `nan:arithmetic`).
#[derive(Debug, Clone, Copy)]
pub enum Val {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    Ref {
        null: bool,
    },
    /// Only wasmi can report one (the generator never enables SIMD); it differs from all else.
    V128(u128),
}

impl PartialEq for Val {
    fn eq(&self, other: &Val) -> bool {
        match (*self, *other) {
            (Val::F32(a), Val::F32(b)) => {
                a == b || f32::from_bits(a).is_nan() && f32::from_bits(b).is_nan()
            }
            (Val::F64(a), Val::F64(b)) => {
                a == b || f64::from_bits(a).is_nan() && f64::from_bits(b).is_nan()
            }
            (Val::I32(a), Val::I32(b)) => a == b,
            (Val::I64(a), Val::I64(b)) => a == b,
            (Val::Ref { null: a }, Val::Ref { null: b }) => a == b,
            (Val::V128(a), Val::V128(b)) => a == b,
            _ => false,
        }
    }
}

/// Equality stays an equivalence relation: all NaNs of a width form one class.
impl Eq for Val {}

/// The traps of the specification, merged where the engines name one condition differently
/// (an index past a table's end is "undefined element" in the spec, an out-of-bounds table
/// access in wasmi).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trap {
    Unreachable,
    MemoryOutOfBounds,
    TableOutOfBounds,
    NullReference,
    IndirectCallTypeMismatch,
    IntegerDivideByZero,
    IntegerOverflow,
    InvalidConversionToInteger,
}

/// How one step (instantiation, which runs the start function, or one export call) ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Returned(Vec<Val>),
    Trapped(Trap),
    /// Fuel, call depth or stack ran out: the engines' limits differ, so nothing follows from
    /// it and the run stops here.
    Inconclusive(String),
    /// Anything else (a rejected module, a link error, an engine error): always a divergence
    /// when the other engine did not fail the same way.
    Failed(String),
}

/// Everything observed from one module: each step in order (export calls by sorted name), then,
/// if every step was conclusive, the exported globals and the memory contents.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Observation {
    pub steps: Vec<(String, Step)>,
    pub globals: Vec<(String, Val)>,
    pub memory: Option<Vec<u8>>,
}

/// The result of comparing two observations of the same module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every step and the final state agree.
    Agree,
    /// They agree up to the point where one engine hit a limit, named here.
    Inconclusive(String),
    /// They disagree; the text says where.
    Diverge(String),
}

/// Compares step by step up to the first inconclusive step on either side, then the final
/// globals and memory.
pub fn compare(a: &Observation, b: &Observation) -> Verdict {
    for ((name, step_a), (_, step_b)) in a.steps.iter().zip(&b.steps) {
        for step in [step_a, step_b] {
            if let Step::Inconclusive(why) = step {
                return Verdict::Inconclusive(why.clone());
            }
        }
        if step_a != step_b {
            return Verdict::Diverge(format!("`{name}`: {step_a} vs {step_b}"));
        }
    }
    if a.steps.len() != b.steps.len() {
        return Verdict::Diverge(format!(
            "{} steps vs {} steps",
            a.steps.len(),
            b.steps.len()
        ));
    }
    if a.globals != b.globals {
        return Verdict::Diverge(format!("final globals {:?} vs {:?}", a.globals, b.globals));
    }
    if a.memory != b.memory {
        let first = first_difference(a.memory.as_deref(), b.memory.as_deref());
        return Verdict::Diverge(format!("final memory differs{first}"));
    }
    Verdict::Agree
}

fn first_difference(a: Option<&[u8]>, b: Option<&[u8]>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if a.len() != b.len() => {
            format!(": {} bytes vs {} bytes", a.len(), b.len())
        }
        (Some(a), Some(b)) => match a.iter().zip(b).position(|(x, y)| x != y) {
            Some(at) => format!(" at byte {at}"),
            None => String::new(),
        },
        _ => ": present on one side only".into(),
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Returned(values) => write!(f, "returned {values:?}"),
            Step::Trapped(trap) => write!(f, "trapped ({trap:?})"),
            Step::Inconclusive(why) => write!(f, "inconclusive ({why})"),
            Step::Failed(why) => write!(f, "failed ({why})"),
        }
    }
}
