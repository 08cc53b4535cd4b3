//! The store: every function, table, memory, global and segment of the instances created in
//! it, addressed by plain indices.
//!
//! Indices rather than references keep the store one owner of everything, which an explicit
//! call stack needs (a frame names its function by address) and fault injection needs (every
//! piece of state is reachable and mutable through the store).

use crate::config::Config;
use crate::domain::Domain;
use crate::error::Error;
use crate::exec::Execution;
use crate::host::Host;
use crate::memory::Memory;
use crate::plain::Plain;
use crate::table::Table;
use crate::types::GlobalType;
use crate::value::{FuncAddr, FuncType, ValType, Value};
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use wasmrel_checker::memory::Protection;

/// An instance in a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InstanceId(pub(crate) u32);

/// An exported entity, by store address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extern {
    Func(FuncAddr),
    Table(u32),
    Memory(u32),
    Global(u32),
}

/// A function in the store.
#[derive(Debug, Clone)]
pub(crate) enum Func {
    Wasm(WasmFunc),
    Host {
        id: crate::host::HostFuncId,
        type_id: u32,
    },
}

impl Func {
    pub(crate) fn type_id(&self) -> u32 {
        match self {
            Func::Wasm(f) => f.type_id,
            Func::Host { type_id, .. } => *type_id,
        }
    }
}

/// A function defined by a module, with its IR relocated to this store's addresses.
#[derive(Debug, Clone)]
pub(crate) struct WasmFunc {
    pub type_id: u32,
    pub instance: u32,
    /// The store address of the instance's memory 0 (0, an empty memory, if it has none).
    pub memory: u32,
    pub num_params: u32,
    pub locals: Vec<ValType>,
    pub frame_size: u32,
    pub code: Vec<u32>,
    /// `translate::code_checksum` of `code` as translated (encoded stores; 0 otherwise):
    /// verified when the function traps.
    pub checksum: u32,
    /// Every block's first instruction and entry signature (encoded stores; empty otherwise):
    /// what a trap's runtime signature is checked against (`translate::signature_before`).
    pub blocks: Vec<(u32, u32)>,
    /// `(IR offset in code, Wasm module offset)`, sorted (see `translate::CompiledFunc`).
    pub positions: Vec<(u32, u32)>,
    /// The function's index in its module's function index space.
    pub module_index: u32,
    /// Its name in the module's name section, if there is one.
    pub name: Option<String>,
}

/// A global variable; the value is a slot of the store's domain.
#[derive(Debug, Clone)]
pub(crate) struct Global<D: Domain> {
    pub ty: GlobalType,
    pub value: D::Slot,
}

/// The store addresses of one instance's entities, in module index order.
#[derive(Debug, Clone, Default)]
pub(crate) struct InstanceData {
    pub funcs: Vec<u32>,
    pub tables: Vec<u32>,
    pub memories: Vec<u32>,
    pub globals: Vec<u32>,
    pub type_ids: Vec<u32>,
    pub elems: Vec<u32>,
    pub datas: Vec<u32>,
    pub exports: BTreeMap<String, Extern>,
}

/// All state of a set of instances, generic over the value domain.
pub struct Store<D: Domain = Plain> {
    pub(crate) config: Config,
    pub(crate) types: Vec<FuncType>,
    pub(crate) type_ids: BTreeMap<FuncType, u32>,
    pub(crate) funcs: Vec<Func>,
    pub(crate) tables: Vec<Table>,
    pub(crate) memories: Vec<Memory>,
    pub(crate) globals: Vec<Global<D>>,
    pub(crate) elems: Vec<Vec<u64>>,
    pub(crate) datas: Vec<Vec<u8>>,
    pub(crate) instances: Vec<InstanceData>,
    /// How memories created from now on are protected (encoded stores only).
    pub(crate) memory_protection: Protection,
}

impl<D: Domain> Store<D> {
    /// An empty store with this configuration.
    pub fn new(config: Config) -> Self {
        Store {
            config,
            types: Vec::new(),
            type_ids: BTreeMap::new(),
            funcs: Vec::new(),
            tables: Vec::new(),
            // Address 0 is an empty memory: the memory of instances that have none, so the
            // interpreter always has one to check accesses against.
            memories: alloc::vec![Memory::default()],
            globals: Vec::new(),
            elems: Vec::new(),
            datas: Vec::new(),
            instances: Vec::new(),
            memory_protection: if D::CHECKS_MEMORY {
                config.memory_protection.unwrap_or(Protection::Crc)
            } else {
                Protection::None
            },
        }
    }

    /// How the linear memories of instances created from now on are protected: check bits
    /// per word ([`Protection::Crc`], the default of encoded stores), a shadow copy
    /// ([`Protection::Dup`]) or nothing. Only stores whose domain checks memory
    /// ([`Domain::CHECKS_MEMORY`]) use it; a plain store ignores it.
    pub fn set_memory_protection(&mut self, protection: Protection) {
        if D::CHECKS_MEMORY {
            self.memory_protection = protection;
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The canonical id of a function type: equal types get equal ids, which is what
    /// `call_indirect` compares.
    pub(crate) fn intern_type(&mut self, ty: &FuncType) -> Result<u32, Error> {
        if let Some(id) = self.type_ids.get(ty) {
            return Ok(*id);
        }
        let id = self.types.len() as u32;
        crate::fallible::push(&mut self.types, ty.clone())?;
        self.type_ids.insert(ty.clone(), id);
        Ok(id)
    }

    pub(crate) fn instance(&self, instance: InstanceId) -> Result<&InstanceData, Error> {
        let data = self.instances.get(instance.0 as usize);
        data.ok_or_else(|| Error::Call(format!("no instance {}", instance.0)))
    }

    /// The export `name` of `instance`.
    pub fn get_export(&self, instance: InstanceId, name: &str) -> Option<Extern> {
        self.instances
            .get(instance.0 as usize)?
            .exports
            .get(name)
            .copied()
    }

    /// The exported function `name` of `instance`.
    pub fn get_func(&self, instance: InstanceId, name: &str) -> Result<FuncAddr, Error> {
        match self.get_export(instance, name) {
            Some(Extern::Func(func)) => Ok(func),
            Some(_) => Err(Error::Call(format!("export `{name}` is not a function"))),
            None => Err(Error::Call(format!("no exported function `{name}`"))),
        }
    }

    /// The type of a function.
    pub fn func_type(&self, func: FuncAddr) -> Option<&FuncType> {
        let func = self.funcs.get(func.0 as usize)?;
        self.types.get(func.type_id() as usize)
    }

    /// The value of the exported global `name` of `instance`.
    pub fn get_global(&self, instance: InstanceId, name: &str) -> Result<Value, Error> {
        let Some(Extern::Global(address)) = self.get_export(instance, name) else {
            return Err(Error::Call(format!("no exported global `{name}`")));
        };
        let global = self.globals.get(address as usize);
        let global = global.ok_or(crate::error::Corruption::BadIndex)?;
        D::to_value(global.ty.content, global.value)
    }

    /// Memory 0 of `instance`, if it has one.
    pub fn memory(&self, instance: InstanceId) -> Option<&Memory> {
        let address = *self.instances.get(instance.0 as usize)?.memories.first()?;
        self.memories.get(address as usize)
    }

    /// Memory 0 of `instance`, mutable (hosts outside a call, fault injection).
    pub fn memory_mut(&mut self, instance: InstanceId) -> Option<&mut Memory> {
        let address = *self.instances.get(instance.0 as usize)?.memories.first()?;
        self.memories.get_mut(address as usize)
    }

    /// The IR words of a Wasm function, for fault injection (`None` for host functions).
    pub fn code_mut(&mut self, func: FuncAddr) -> Option<&mut [u32]> {
        match self.funcs.get_mut(func.0 as usize)? {
            Func::Wasm(f) => Some(&mut f.code),
            Func::Host { .. } => None,
        }
    }

    /// The number of functions in the store (addresses are `0..count`).
    pub fn func_count(&self) -> u32 {
        self.funcs.len() as u32
    }

    /// The slot of global `address`, for fault injection.
    pub fn global_slot_mut(&mut self, address: u32) -> Option<&mut D::Slot> {
        Some(&mut self.globals.get_mut(address as usize)?.value)
    }

    /// The number of globals in the store.
    pub fn global_count(&self) -> u32 {
        self.globals.len() as u32
    }

    /// Calls the exported function `name` of `instance` and runs it to completion, serving
    /// host calls with `host` and resuming through every hook pause.
    pub fn invoke(
        &mut self,
        instance: InstanceId,
        name: &str,
        args: &[Value],
        host: &mut impl Host,
    ) -> Result<Vec<Value>, Error> {
        let mut execution = self.start_call(instance, name, args)?;
        execution.run(self, host)
    }

    /// Prepares a call of the exported function `name` of `instance`; drive it with
    /// [`Execution::resume`].
    pub fn start_call(
        &mut self,
        instance: InstanceId,
        name: &str,
        args: &[Value],
    ) -> Result<Execution<D>, Error> {
        let func = self.get_func(instance, name)?;
        self.start_call_func(func, args)
    }

    /// Prepares a call of function `func`.
    pub fn start_call_func(
        &mut self,
        func: FuncAddr,
        args: &[Value],
    ) -> Result<Execution<D>, Error> {
        let ty = self
            .func_type(func)
            .ok_or_else(|| Error::Call(format!("no function {}", func.0)))?;
        if ty.params().len() != args.len() {
            return Err(Error::Call(format!(
                "expected {} arguments, got {}",
                ty.params().len(),
                args.len()
            )));
        }
        for (i, (arg, expected)) in args.iter().zip(ty.params()).enumerate() {
            if arg.ty() != *expected {
                return Err(Error::Call(format!(
                    "argument {i} must be {expected}, not {}",
                    arg.ty()
                )));
            }
        }
        let results = ty.results().to_vec();
        Execution::new(self, func, args, results)
    }
}
