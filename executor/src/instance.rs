//! Creating an instance's entities in a store.

use crate::domain::Domain;
use crate::error::{Corruption, Error};
use crate::fallible::{self, copy_of, push};
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
    // Everything sized by the module's counts and contents is reserved fallibly
    // (`fallible`): a refusal is the memory limit error, never an abort.
    let mut data = InstanceData::default();
    for import in imports {
        match *import {
            Extern::Func(func) => push(&mut data.funcs, func.0)?,
            Extern::Table(address) => push(&mut data.tables, address)?,
            Extern::Memory(address) => push(&mut data.memories, address)?,
            Extern::Global(address) => push(&mut data.globals, address)?,
        }
    }
    data.type_ids = Vec::new();
    data.type_ids
        .try_reserve_exact(module.types.len())
        .map_err(|_| fallible::refused())?;
    for ty in &module.types {
        let id = store.intern_type(ty)?;
        data.type_ids.push(id);
    }
    let first_func = store.funcs.len() as u32;
    data.funcs
        .try_reserve_exact(module.code.len())
        .map_err(|_| fallible::refused())?;
    data.funcs
        .extend((0..module.code.len() as u32).map(|i| first_func + i));

    for ty in module
        .tables
        .iter()
        .skip(module.num_imported_tables as usize)
    {
        push(&mut data.tables, store.tables.len() as u32)?;
        let table = Table::new(*ty, 0, limits.max_table_elements)?;
        push(&mut store.tables, table)?;
    }
    for ty in module
        .memories
        .iter()
        .skip(module.num_imported_memories as usize)
    {
        push(&mut data.memories, store.memories.len() as u32)?;
        let memory = Memory::new(*ty, limits.max_memory_bytes)?;
        push(&mut store.memories, memory)?;
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
        push(&mut data.globals, store.globals.len() as u32)?;
        push(&mut store.globals, Global { ty: *ty, value })?;
    }
    for segment in &module.elems {
        let mut items = Vec::new();
        items
            .try_reserve_exact(segment.items.len())
            .map_err(|_| fallible::refused())?;
        for item in &segment.items {
            let value = eval(store, &data, *item).and_then(D::to_i64)?;
            items.push(value as u64);
        }
        push(&mut data.elems, store.elems.len() as u32)?;
        push(&mut store.elems, items)?;
    }
    for segment in &module.datas {
        push(&mut data.datas, store.datas.len() as u32)?;
        push(&mut store.datas, copy_of(&segment.bytes, 0)?)?;
    }
    let memory = data.memories.first().copied().unwrap_or(0);
    let instance_index = store.instances.len() as u32;
    for compiled in &module.code {
        let mut code = copy_of(&compiled.code, crate::ir::PADDING.len())?;
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
        let mut positions = copy_of(&compiled.positions, 0)?;
        let mut blocks = Vec::new();
        if D::SIGNATURES {
            let signed = sign(&code, store.funcs.len() as u32)?;
            code = signed.code;
            blocks = signed.blocks;
            for (ir, _) in &mut positions {
                *ir = *signed.new_at.get(*ir as usize).ok_or_else(bad_module)?;
            }
        }
        code.try_reserve_exact(crate::ir::PADDING.len())
            .map_err(|_| fallible::refused())?;
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
        let name = match module.names.get(&compiled.index) {
            Some(name) => Some(fallible::string(name)?),
            None => None,
        };
        let func = Func::Wasm(WasmFunc {
            type_id,
            instance: instance_index,
            memory,
            num_params: compiled.num_params,
            locals: copy_of(&compiled.locals, 0)?,
            frame_size: compiled.frame_size,
            code,
            checksum,
            blocks,
            positions,
            module_index: compiled.index,
            name,
        });
        push(&mut store.funcs, func)?;
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
            .insert(fallible::string(name)?, found.ok_or_else(bad_module)?);
    }
    let start = match module.start {
        Some(index) => Some(FuncAddr(
            *data.funcs.get(index as usize).ok_or_else(bad_module)?,
        )),
        None => None,
    };
    push(&mut store.instances, data)?;
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
