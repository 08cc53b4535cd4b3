//! Creating an instance's entities in a store.

use crate::domain::Domain;
use crate::error::{Corruption, Error};
use crate::memory::Memory;
use crate::module::{ConstExpr, Module, SegmentMode};
use crate::store::{Extern, Func, Global, InstanceData, InstanceId, Store, WasmFunc};
use crate::table::Table;
use crate::translate::RelocKind;
use crate::translate::{code_checksum, sign};
use crate::types::ExternIndex;
use crate::value::{FuncAddr, Value};
use alloc::vec::Vec;

fn bad_module() -> Error {
    Error::Invalid("module refers to a missing entity".into())
}

/// Evaluates a constant expression to a slot.
fn eval<D: Domain>(
    store: &Store<D>,
    data: &InstanceData,
    expr: ConstExpr,
) -> Result<D::Slot, Error> {
    Ok(match expr {
        ConstExpr::Number(ty, raw) => D::from_value(Value::from_raw(ty, raw)),
        ConstExpr::Null(_) => D::from_i64(0),
        ConstExpr::RefFunc(index) => {
            let address = data.funcs.get(index as usize).ok_or_else(bad_module)?;
            D::from_i64(i64::from(*address) + 1)
        }
        ConstExpr::Global(index) => {
            let address = data.globals.get(index as usize).ok_or_else(bad_module)?;
            store
                .globals
                .get(*address as usize)
                .ok_or_else(bad_module)?
                .value
        }
    })
}

/// Creates the instance of `module` with resolved `imports` and applies its active segments.
/// Returns the instance and its start function. The instance stays in the store even when a
/// segment traps (its effects on imported tables and memories are visible).
pub(crate) fn instantiate<D: Domain>(
    store: &mut Store<D>,
    module: &Module,
    imports: &[Extern],
) -> Result<(InstanceId, Option<FuncAddr>), Error> {
    let limits = store.config.limits;
    let mut data = InstanceData::default();
    for import in imports {
        match *import {
            Extern::Func(func) => data.funcs.push(func.0),
            Extern::Table(address) => data.tables.push(address),
            Extern::Memory(address) => data.memories.push(address),
            Extern::Global(address) => data.globals.push(address),
        }
    }
    data.type_ids = module
        .types
        .iter()
        .map(|ty| store.intern_type(ty))
        .collect();
    let first_func = store.funcs.len() as u32;
    data.funcs
        .extend((0..module.code.len() as u32).map(|i| first_func + i));

    for ty in module
        .tables
        .iter()
        .skip(module.num_imported_tables as usize)
    {
        data.tables.push(store.tables.len() as u32);
        store
            .tables
            .push(Table::new(*ty, 0, limits.max_table_elements)?);
    }
    for ty in module
        .memories
        .iter()
        .skip(module.num_imported_memories as usize)
    {
        data.memories.push(store.memories.len() as u32);
        store
            .memories
            .push(Memory::new(*ty, limits.max_memory_bytes)?);
        if let Some(memory) = store.memories.last_mut() {
            memory.protect(store.memory_protection)?;
        }
    }
    let defined_globals = module
        .globals
        .iter()
        .skip(module.num_imported_globals as usize);
    for (ty, init) in defined_globals.zip(&module.global_inits) {
        let value = eval(store, &data, *init)?;
        data.globals.push(store.globals.len() as u32);
        store.globals.push(Global { ty: *ty, value });
    }
    for segment in &module.elems {
        let items = segment
            .items
            .iter()
            .map(|item| {
                eval(store, &data, *item)
                    .and_then(D::to_i64)
                    .map(|v| v as u64)
            })
            .collect::<Result<Vec<_>, _>>()?;
        data.elems.push(store.elems.len() as u32);
        store.elems.push(items);
    }
    for segment in &module.datas {
        data.datas.push(store.datas.len() as u32);
        store.datas.push(segment.bytes.clone());
    }
    let memory = data.memories.first().copied().unwrap_or(0);
    let instance_index = store.instances.len() as u32;
    for compiled in &module.code {
        let mut code = compiled.code.clone();
        for reloc in &compiled.relocs {
            let word = code.get_mut(reloc.at as usize).ok_or_else(bad_module)?;
            let addresses = match reloc.kind {
                RelocKind::Func => &data.funcs,
                RelocKind::Global => &data.globals,
                RelocKind::Table => &data.tables,
                RelocKind::Type => &data.type_ids,
                RelocKind::Data => &data.datas,
                RelocKind::Elem => &data.elems,
            };
            *word = *addresses.get(*word as usize).ok_or_else(bad_module)?;
        }
        let mut positions = compiled.positions.clone();
        if D::SIGNATURES {
            let (signed, new_at) = sign(&code, store.funcs.len() as u32).ok_or_else(bad_module)?;
            code = signed;
            for (ir, _) in &mut positions {
                *ir = *new_at.get(*ir as usize).ok_or_else(bad_module)?;
            }
        }
        code.extend_from_slice(&crate::ir::PADDING);
        let checksum = if D::SIGNATURES {
            code_checksum(&code)
        } else {
            0
        };
        let type_id = *data
            .type_ids
            .get(compiled.type_index as usize)
            .ok_or_else(bad_module)?;
        store.funcs.push(Func::Wasm(WasmFunc {
            type_id,
            instance: instance_index,
            memory,
            num_params: compiled.num_params,
            locals: compiled.locals.clone(),
            frame_size: compiled.frame_size,
            code,
            checksum,
            positions,
            module_index: compiled.index,
            name: module.names.get(&compiled.index).cloned(),
        }));
    }
    for (name, index) in &module.exports {
        let found = match *index {
            ExternIndex::Func(i) => data
                .funcs
                .get(i as usize)
                .map(|a| Extern::Func(FuncAddr(*a))),
            ExternIndex::Table(i) => data.tables.get(i as usize).map(|a| Extern::Table(*a)),
            ExternIndex::Memory(i) => data.memories.get(i as usize).map(|a| Extern::Memory(*a)),
            ExternIndex::Global(i) => data.globals.get(i as usize).map(|a| Extern::Global(*a)),
        };
        data.exports
            .insert(name.clone(), found.ok_or_else(bad_module)?);
    }
    let start = match module.start {
        Some(index) => Some(FuncAddr(
            *data.funcs.get(index as usize).ok_or_else(bad_module)?,
        )),
        None => None,
    };
    store.instances.push(data);
    let instance = InstanceId(instance_index);
    initialize_segments(store, module, instance)?;
    Ok((instance, start))
}

/// Applies active element then data segments in order, dropping active and declared ones.
fn initialize_segments<D: Domain>(
    store: &mut Store<D>,
    module: &Module,
    instance: InstanceId,
) -> Result<(), Error> {
    let data = store.instance(instance)?.clone();
    for (segment, address) in module.elems.iter().zip(&data.elems) {
        match segment.mode {
            SegmentMode::Passive => continue,
            SegmentMode::Declared => {}
            SegmentMode::Active { index, offset } => {
                let offset = D::to_i32(eval(store, &data, offset)?)? as u32;
                let table = data.tables.get(index as usize).ok_or_else(bad_module)?;
                let Store { tables, elems, .. } = &mut *store;
                let items = elems.get(*address as usize).ok_or(Corruption::BadIndex)?;
                let table = tables
                    .get_mut(*table as usize)
                    .ok_or(Corruption::BadIndex)?;
                table.write(offset, items)?;
            }
        }
        if let Some(items) = store.elems.get_mut(*address as usize) {
            *items = Vec::new();
        }
    }
    for (segment, address) in module.datas.iter().zip(&data.datas) {
        let SegmentMode::Active { index, offset } = segment.mode else {
            continue;
        };
        let offset = D::to_i32(eval(store, &data, offset)?)? as u32;
        let memory = data.memories.get(index as usize).ok_or_else(bad_module)?;
        let Store {
            memories, datas, ..
        } = &mut *store;
        let bytes = datas.get(*address as usize).ok_or(Corruption::BadIndex)?;
        let memory = memories
            .get_mut(*memory as usize)
            .ok_or(Corruption::BadIndex)?;
        memory.write(u64::from(offset), bytes)?;
        if let Some(bytes) = datas.get_mut(*address as usize) {
            *bytes = Vec::new();
        }
    }
    Ok(())
}
