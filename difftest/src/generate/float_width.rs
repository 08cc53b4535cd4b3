//! Canonical NaNs for `f32.demote_f64` and `f64.promote_f32`.
//!
//! `wasm-smith`'s `canonicalize_nans` follows each float arithmetic instruction with a
//! `select` that replaces a NaN result by the canonical NaN, but not these two conversions,
//! whose NaN payloads the specification leaves open (wasmrel gives the canonical NaN, wasmi
//! and wasmtime the hardware's). A payload that reaches memory or an integer
//! (`reinterpret`) would make engines differ legitimately, so the generated module is
//! re-encoded with the same `select` after each conversion.

use wasm_encoder::reencode::{utils, Error, Reencode};
use wasm_encoder::{CodeSection, Function, Instruction, ValType};
use wasmparser::{FunctionBody, Operator, Parser, Payload};

/// The canonical NaNs (positive, quiet bit only), as `wasm-smith` uses them.
const CANONICAL_F32: u32 = 0x7fc0_0000;
const CANONICAL_F64: u64 = 0x7ff8_0000_0000_0000;

/// `bytes` with every float-width conversion followed by a NaN canonicalisation.
pub fn canonicalize(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    let mut reencoder = Canonicalize {
        params: param_counts(bytes)?,
        next_body: 0,
    };
    let mut module = wasm_encoder::Module::new();
    reencoder.parse_core_module(&mut module, Parser::new(0), bytes)?;
    Ok(module.finish())
}

/// The parameter count of each function defined (not imported) by the module, in order.
fn param_counts(bytes: &[u8]) -> Result<Vec<u32>, Error> {
    let mut types = Vec::new();
    let mut params = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::TypeSection(section) => {
                for ty in section.into_iter_err_on_gc_types() {
                    types.push(u32::try_from(ty?.params().len()).unwrap_or(u32::MAX));
                }
            }
            Payload::FunctionSection(section) => {
                for type_index in section {
                    let count = types.get(type_index? as usize).copied();
                    params.push(count.unwrap_or(0));
                }
            }
            _ => {}
        }
    }
    Ok(params)
}

struct Canonicalize {
    params: Vec<u32>,
    next_body: usize,
}

impl Reencode for Canonicalize {
    type Error = std::convert::Infallible;

    fn parse_function_body(
        &mut self,
        code: &mut CodeSection,
        body: FunctionBody<'_>,
    ) -> Result<(), Error> {
        let params = self.params.get(self.next_body).copied().unwrap_or(0);
        self.next_body += 1;
        if !converts_width(&body)? {
            return utils::parse_function_body(self, code, body);
        }
        let mut locals = Vec::new();
        let mut count = params;
        for pair in body.get_locals_reader()? {
            let (n, ty) = pair?;
            count = count.saturating_add(n);
            locals.push((n, self.val_type(ty)?));
        }
        // Two scratch locals after the declared ones hold the converted value.
        let (f32_scratch, f64_scratch) = (count, count.saturating_add(1));
        locals.extend([(1, ValType::F32), (1, ValType::F64)]);
        let mut function = Function::new(locals);
        let mut reader = body.get_operators_reader()?;
        while !reader.eof() {
            let operator = reader.read()?;
            let canonical = match operator {
                Operator::F32DemoteF64 => Some((
                    f32_scratch,
                    Instruction::F32Const(f32::from_bits(CANONICAL_F32).into()),
                    Instruction::F32Eq,
                )),
                Operator::F64PromoteF32 => Some((
                    f64_scratch,
                    Instruction::F64Const(f64::from_bits(CANONICAL_F64).into()),
                    Instruction::F64Eq,
                )),
                _ => None,
            };
            function.instruction(&self.instruction(operator)?);
            // x → select(x, NaN, x == x): x unless it is a NaN.
            if let Some((scratch, nan, equal)) = canonical {
                function
                    .instruction(&Instruction::LocalTee(scratch))
                    .instruction(&nan)
                    .instruction(&Instruction::LocalGet(scratch))
                    .instruction(&Instruction::LocalGet(scratch))
                    .instruction(&equal)
                    .instruction(&Instruction::Select);
            }
        }
        code.function(&function);
        Ok(())
    }
}

fn converts_width(body: &FunctionBody<'_>) -> Result<bool, Error> {
    let mut reader = body.get_operators_reader()?;
    while !reader.eof() {
        if let Operator::F32DemoteF64 | Operator::F64PromoteF32 = reader.read()? {
            return Ok(true);
        }
    }
    Ok(false)
}
