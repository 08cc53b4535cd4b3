//! WASI as the engine's [`Host`]: linking the preview-1 imports and serving their calls.

use alloc::format;

use wasmrel_executor::{Caller, FuncType, Host, HostError, HostFuncId, Linker, ValType, Value};

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::functions::{Func, Param};
use crate::guest::Guest;
use crate::snapshot::Snapshot;

/// The most parameters a preview-1 function has (`path_open`).
const MAX_PARAMS: usize = 9;

/// Defines every preview-1 function in `linker`, and the same under preview 0's module name,
/// each with an id [`Snapshot::of_id`] maps back. A module then links whatever subset of WASI
/// it imports.
pub fn link(linker: &mut Linker) {
    let snapshots = [Snapshot::Preview1, Snapshot::Preview0];
    for (snapshot, (index, func)) in snapshots
        .into_iter()
        .flat_map(|snapshot| {
            Func::ALL
                .iter()
                .enumerate()
                .map(move |entry| (snapshot, entry))
        })
        .filter(|(snapshot, (_, func))| snapshot.has(**func))
    {
        let params = func.params().iter().map(|param| match param {
            Param::I32 => ValType::I32,
            Param::I64 => ValType::I64,
        });
        let results: &[ValType] = if func.returns_errno() {
            &[ValType::I32]
        } else {
            &[]
        };
        let ty = FuncType::new(params, results.iter().copied());
        linker.define_host_func(
            snapshot.module(),
            func.name(),
            ty,
            HostFuncId(snapshot.id(index)),
        );
    }
}

/// Guest memory through the engine's caller, which sees (and may protect) every access.
struct CallerGuest<'c, 'a>(&'c mut Caller<'a>);

impl Guest for CallerGuest<'_, '_> {
    fn read(&mut self, addr: u32, buf: &mut [u8]) -> WasiResult {
        self.0.read(u64::from(addr), buf).map_err(|_| Errno::FAULT)
    }

    fn write(&mut self, addr: u32, data: &[u8]) -> WasiResult {
        self.0
            .write(u64::from(addr), data)
            .map_err(|_| Errno::FAULT)
    }

    fn memory_size(&mut self) -> u64 {
        self.0.size()
    }

    fn fuel_used(&mut self) -> u64 {
        self.0.fuel_used()
    }
}

impl Host for WasiCtx {
    fn call(
        &mut self,
        id: HostFuncId,
        caller: &mut Caller<'_>,
        args: &[Value],
        results: &mut [Value],
    ) -> Result<(), HostError> {
        let (snapshot, func) = Snapshot::of_id(id.0)
            .ok_or_else(|| HostError::Trap(format!("no WASI function has id {}", id.0)))?;
        let mut raw = [0u64; MAX_PARAMS];
        for (slot, arg) in raw.iter_mut().zip(args) {
            *slot = match *arg {
                Value::I32(v) => u64::from(v as u32),
                Value::I64(v) => v as u64,
                other => {
                    return Err(HostError::Trap(format!(
                        "{}: argument of type {} where WASI takes integers",
                        func.name(),
                        other.ty()
                    )))
                }
            };
        }
        let count = args.len().min(MAX_PARAMS);
        match self.call_func(
            snapshot,
            func,
            &mut CallerGuest(caller),
            raw.get(..count).unwrap_or_default(),
        ) {
            Ok(errno) => {
                if let Some(result) = results.first_mut() {
                    *result = Value::I32(i32::from(errno));
                }
                Ok(())
            }
            Err(exit) => Err(HostError::Exit(exit.0)),
        }
    }
}
