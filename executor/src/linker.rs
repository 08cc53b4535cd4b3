//! Resolving a module's imports and instantiating it.
//!
//! A [`Linker`] knows host functions by `(module, name)` and instances registered under a
//! module name (the spec suite's `register`). Instantiation matches each import against them
//! with the spec's subtyping rules and fails with [`Error::Link`] naming the import.

use crate::domain::Domain;
use crate::error::Error;
use crate::host::{Host, HostFuncId};
use crate::instance;
use crate::module::{ImportKind, Module};
use crate::store::{Extern, Func, InstanceId, Store};
use crate::types::limits_match;
use crate::value::{FuncAddr, FuncType};
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// Import definitions: host functions and registered instances.
#[derive(Debug, Clone, Default)]
pub struct Linker {
    host_funcs: BTreeMap<(String, String), (FuncType, HostFuncId)>,
    instances: Vec<(String, InstanceId)>,
}

impl Linker {
    /// A linker without definitions.
    pub fn new() -> Self {
        Self::default()
    }

    /// Defines the import `module.name` as host function `id` of type `ty`.
    pub fn define_host_func(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        id: HostFuncId,
    ) -> &mut Self {
        self.host_funcs
            .insert((module.to_string(), name.to_string()), (ty, id));
        self
    }

    /// Makes every export of `instance` importable as `name.<export>`; later definitions of
    /// the same name take precedence.
    pub fn define_instance(&mut self, name: &str, instance: InstanceId) -> &mut Self {
        self.instances.push((name.to_string(), instance));
        self
    }

    /// Whether `module.name` is defined as a host function.
    pub fn has_host_func(&self, module: &str, name: &str) -> bool {
        self.host_funcs
            .contains_key(&(module.to_string(), name.to_string()))
    }

    /// Instantiates `module` in `store`: resolves imports, creates its entities, applies the
    /// active segments and runs the start function (host calls go to `host`).
    ///
    /// A trap while applying segments or in the start function is an error, but — as the
    /// spec requires — what was written to imported tables and memories before it stays.
    pub fn instantiate<D: Domain>(
        &self,
        store: &mut Store<D>,
        module: &Module,
        host: &mut impl Host,
    ) -> Result<InstanceId, Error> {
        let (instance, start) = self.instantiate_deferred(store, module)?;
        if let Some(start) = start {
            store.start_call_func(start, &[])?.run(store, host)?;
        }
        Ok(instance)
    }

    /// Like [`Linker::instantiate`], but returns the start function instead of running it,
    /// so that a driver can run it like any call: pausing at the fuel hook to yield (the
    /// kernel module) or at a fault-injection point. The instance is complete only after
    /// the start function has returned.
    pub fn instantiate_deferred<D: Domain>(
        &self,
        store: &mut Store<D>,
        module: &Module,
    ) -> Result<(InstanceId, Option<FuncAddr>), Error> {
        let imports = module
            .imports
            .iter()
            .map(|import| self.resolve(store, module, &import.module, &import.name, import.ty))
            .collect::<Result<Vec<_>, _>>()?;
        instance::instantiate(store, module, &imports)
    }

    fn resolve<D: Domain>(
        &self,
        store: &mut Store<D>,
        importer: &Module,
        module: &str,
        name: &str,
        expected: ImportKind,
    ) -> Result<Extern, Error> {
        let incompatible =
            || Error::Link(format!("incompatible import type for `{module}.{name}`"));
        if let Some((ty, id)) = self.host_funcs.get(&(module.to_string(), name.to_string())) {
            let ImportKind::Func(_) = expected else {
                return Err(incompatible());
            };
            let type_id = store.intern_type(ty)?;
            let address = store.funcs.len() as u32;
            crate::fallible::push(&mut store.funcs, Func::Host { id: *id, type_id })?;
            let found = Extern::Func(FuncAddr(address));
            return self.check(store, importer, found, expected, module, name);
        }
        let found = self
            .instances
            .iter()
            .rev()
            .filter(|(registered, _)| registered == module)
            .find_map(|(_, instance)| store.get_export(*instance, name));
        let Some(found) = found else {
            return Err(Error::Link(format!("unknown import `{module}.{name}`")));
        };
        self.check(store, importer, found, expected, module, name)
    }

    fn check<D: Domain>(
        &self,
        store: &mut Store<D>,
        importer: &Module,
        found: Extern,
        expected: ImportKind,
        module: &str,
        name: &str,
    ) -> Result<Extern, Error> {
        let ok = match (found, expected) {
            (Extern::Func(func), ImportKind::Func(type_index)) => {
                let actual = store.funcs.get(func.0 as usize).map(Func::type_id);
                let wanted = importer.types.get(type_index as usize);
                let wanted = wanted.map(|ty| store.intern_type(ty)).transpose()?;
                actual.is_some() && actual == wanted
            }
            (Extern::Table(address), ImportKind::Table(ty)) => {
                store.tables.get(address as usize).is_some_and(|table| {
                    let actual = table.ty();
                    actual.element == ty.element
                        && limits_match(
                            u64::from(actual.min),
                            actual.max.map(u64::from),
                            u64::from(ty.min),
                            ty.max.map(u64::from),
                        )
                })
            }
            (Extern::Memory(address), ImportKind::Memory(ty)) => {
                store.memories.get(address as usize).is_some_and(|memory| {
                    let actual = memory.ty();
                    limits_match(
                        actual.min_pages,
                        actual.max_pages,
                        ty.min_pages,
                        ty.max_pages,
                    )
                })
            }
            (Extern::Global(address), ImportKind::Global(ty)) => store
                .globals
                .get(address as usize)
                .is_some_and(|global| global.ty == ty),
            _ => false,
        };
        if ok {
            Ok(found)
        } else {
            Err(Error::Link(format!(
                "incompatible import type for `{module}.{name}`"
            )))
        }
    }
}
