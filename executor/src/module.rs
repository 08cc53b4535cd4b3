//! Decoding, validation and translation of a module.
//!
//! [`Module::new`] does all the work that does not depend on imports: wasmparser decodes and
//! validates the bytes against the WebAssembly 2.0 feature set (no SIMD, no later
//! proposals), and every function body is translated once into IR. A `Module` is immutable and
//! can be instantiated many times, in many stores.

use crate::config::Config;
use crate::error::Error;
use crate::fallible::{self, push};
use crate::translate::{self, CompiledFunc};
use crate::types::{
    ExportType, ExternIndex, ExternType, GlobalType, ImportType, MemoryType, TableType,
};
use crate::value::{FuncType, ValType};
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use wasmparser::{Parser, Payload, ValidPayload, Validator, WasmFeatures};

/// A constant expression (global initialisers, segment offsets and elements).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConstExpr {
    /// A number, as the engine's 64-bit raw form of its type.
    Number(ValType, u64),
    /// `ref.null t`
    Null(ValType),
    /// `ref.func f`
    RefFunc(u32),
    /// `global.get g`
    Global(u32),
}

/// Where a data or element segment goes at instantiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SegmentMode {
    /// Used by `memory.init` / `table.init` only.
    Passive,
    /// Copied into memory/table `index` at `offset` during instantiation, then dropped.
    Active { index: u32, offset: ConstExpr },
    /// Only declares functions for `ref.func`; dropped at instantiation.
    Declared,
}

#[derive(Debug, Clone)]
pub(crate) struct ElemSegment {
    pub mode: SegmentMode,
    pub items: Vec<ConstExpr>,
}

#[derive(Debug, Clone)]
pub(crate) struct DataSegment {
    pub mode: SegmentMode,
    pub bytes: Vec<u8>,
}

/// What an import provides, by kind.
#[derive(Debug, Clone)]
pub(crate) struct Import {
    pub module: String,
    pub name: String,
    pub ty: ImportKind,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum ImportKind {
    /// A function of the module type index.
    Func(u32),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
}

/// A validated and translated WebAssembly module.
#[derive(Debug, Clone, Default)]
pub struct Module {
    pub(crate) types: Vec<FuncType>,
    pub(crate) imports: Vec<Import>,
    /// The type index of every function, imported ones first.
    pub(crate) funcs: Vec<u32>,
    pub(crate) tables: Vec<TableType>,
    pub(crate) memories: Vec<MemoryType>,
    pub(crate) globals: Vec<GlobalType>,
    /// Initialisers of the defined (not imported) globals.
    pub(crate) global_inits: Vec<ConstExpr>,
    pub(crate) exports: Vec<(String, ExternIndex)>,
    pub(crate) start: Option<u32>,
    pub(crate) elems: Vec<ElemSegment>,
    pub(crate) datas: Vec<DataSegment>,
    /// The translated bodies of the defined functions.
    pub(crate) code: Vec<CompiledFunc>,
    pub(crate) num_imported_funcs: u32,
    pub(crate) num_imported_tables: u32,
    pub(crate) num_imported_memories: u32,
    pub(crate) num_imported_globals: u32,
    /// Function names from the name section (`name` custom section), by function index; a
    /// malformed name section is ignored, as the spec allows.
    pub(crate) names: BTreeMap<u32, String>,
}

/// The features of WebAssembly 2.0 without SIMD: what the engine implements.
fn features() -> WasmFeatures {
    let mut features = WasmFeatures::WASM2;
    features.remove(WasmFeatures::SIMD);
    features
}

fn invalid(err: wasmparser::BinaryReaderError) -> Error {
    Error::Invalid(format!("{} (at offset {:#x})", err.message(), err.offset()))
}

pub(crate) fn val_type(ty: wasmparser::ValType) -> Result<ValType, Error> {
    use wasmparser::ValType as W;
    Ok(match ty {
        W::I32 => ValType::I32,
        W::I64 => ValType::I64,
        W::F32 => ValType::F32,
        W::F64 => ValType::F64,
        W::Ref(r) if r.is_func_ref() => ValType::FuncRef,
        W::Ref(r) if r.is_extern_ref() => ValType::ExternRef,
        other => return Err(Error::Invalid(format!("unsupported value type {other}"))),
    })
}

fn ref_type(ty: wasmparser::RefType) -> Result<ValType, Error> {
    val_type(wasmparser::ValType::Ref(ty))
}

fn table_type(ty: wasmparser::TableType) -> Result<TableType, Error> {
    let too_large = || Error::Invalid("table limits exceed 32 bits".to_string());
    Ok(TableType {
        element: ref_type(ty.element_type)?,
        min: u32::try_from(ty.initial).map_err(|_| too_large())?,
        max: ty
            .maximum
            .map(|max| u32::try_from(max).map_err(|_| too_large()))
            .transpose()?,
    })
}

fn memory_type(ty: wasmparser::MemoryType) -> MemoryType {
    MemoryType {
        min_pages: ty.initial,
        max_pages: ty.maximum,
    }
}

fn global_type(ty: wasmparser::GlobalType) -> Result<GlobalType, Error> {
    Ok(GlobalType {
        content: val_type(ty.content_type)?,
        mutable: ty.mutable,
    })
}

fn const_expr(expr: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr, Error> {
    use wasmparser::Operator as O;
    let mut reader = expr.get_operators_reader();
    let value = match reader.read().map_err(invalid)? {
        O::I32Const { value } => ConstExpr::Number(ValType::I32, u64::from(value as u32)),
        O::I64Const { value } => ConstExpr::Number(ValType::I64, value as u64),
        O::F32Const { value } => ConstExpr::Number(ValType::F32, u64::from(value.bits())),
        O::F64Const { value } => ConstExpr::Number(ValType::F64, value.bits()),
        O::RefNull { hty } => {
            let ty = match hty {
                wasmparser::HeapType::Abstract {
                    ty: wasmparser::AbstractHeapType::Extern,
                    ..
                } => ValType::ExternRef,
                _ => ValType::FuncRef,
            };
            ConstExpr::Null(ty)
        }
        O::RefFunc { function_index } => ConstExpr::RefFunc(function_index),
        O::GlobalGet { global_index } => ConstExpr::Global(global_index),
        other => {
            return Err(Error::Invalid(format!(
                "unsupported constant expression {other:?}"
            )))
        }
    };
    match reader.read().map_err(invalid)? {
        O::End => Ok(value),
        _ => Err(Error::Invalid(
            "constant expression longer than one instruction".to_string(),
        )),
    }
}

impl Module {
    /// Decodes, validates and translates a binary module.
    ///
    /// Errors are [`Error::Invalid`] with wasmparser's message and byte offset.
    ///
    /// Translation of WebAssembly 2.0 does not depend on the configuration yet; it is taken so
    /// that translation options (such as the encoded mode's check level) can join it without
    /// changing every caller.
    pub fn new(_config: &Config, bytes: &[u8]) -> Result<Module, Error> {
        let mut validator = Validator::new_with_features(features());
        let mut module = Module::default();
        let mut allocations = Default::default();
        let mut parser = Parser::new(0);
        // The decoder must know the features too: without multi-memory, a memory index
        // must be a single zero byte, and so on.
        parser.set_features(features());
        for payload in parser.parse_all(bytes) {
            let payload = payload.map_err(invalid)?;
            if let ValidPayload::Func(func, body) = validator.payload(&payload).map_err(invalid)? {
                let mut func_validator = func.into_validator(allocations);
                let compiled = translate::translate(&module, &mut func_validator, &body)?;
                push(&mut module.code, compiled)?;
                allocations = func_validator.into_allocations();
                continue;
            }
            module.read_payload(payload)?;
        }
        Ok(module)
    }

    fn read_payload(&mut self, payload: Payload<'_>) -> Result<(), Error> {
        match payload {
            Payload::TypeSection(reader) => {
                for ty in reader.into_iter_err_on_gc_types() {
                    let ty = ty.map_err(invalid)?;
                    let params = ty.params().iter().map(|t| val_type(*t));
                    let results = ty.results().iter().map(|t| val_type(*t));
                    let ty = FuncType::new(
                        params.collect::<Result<Vec<_>, _>>()?,
                        results.collect::<Result<Vec<_>, _>>()?,
                    );
                    push(&mut self.types, ty)?;
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.map_err(invalid)?;
                    let ty = match import.ty {
                        wasmparser::TypeRef::Func(index) => {
                            push(&mut self.funcs, index)?;
                            self.num_imported_funcs += 1;
                            ImportKind::Func(index)
                        }
                        wasmparser::TypeRef::Table(ty) => {
                            let ty = table_type(ty)?;
                            push(&mut self.tables, ty)?;
                            self.num_imported_tables += 1;
                            ImportKind::Table(ty)
                        }
                        wasmparser::TypeRef::Memory(ty) => {
                            let ty = memory_type(ty);
                            push(&mut self.memories, ty)?;
                            self.num_imported_memories += 1;
                            ImportKind::Memory(ty)
                        }
                        wasmparser::TypeRef::Global(ty) => {
                            let ty = global_type(ty)?;
                            push(&mut self.globals, ty)?;
                            self.num_imported_globals += 1;
                            ImportKind::Global(ty)
                        }
                        other => {
                            return Err(Error::Invalid(format!("unsupported import {other:?}")))
                        }
                    };
                    let import = Import {
                        module: fallible::string(import.module)?,
                        name: fallible::string(import.name)?,
                        ty,
                    };
                    push(&mut self.imports, import)?;
                }
            }
            Payload::FunctionSection(reader) => {
                for index in reader {
                    push(&mut self.funcs, index.map_err(invalid)?)?;
                }
            }
            Payload::TableSection(reader) => {
                for table in reader {
                    let table = table.map_err(invalid)?;
                    if let wasmparser::TableInit::Expr(_) = table.init {
                        return Err(Error::Invalid("table initialisers are unsupported".into()));
                    }
                    push(&mut self.tables, table_type(table.ty)?)?;
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    push(&mut self.memories, memory_type(memory.map_err(invalid)?))?;
                }
            }
            Payload::GlobalSection(reader) => {
                for global in reader {
                    let global = global.map_err(invalid)?;
                    push(&mut self.globals, global_type(global.ty)?)?;
                    push(&mut self.global_inits, const_expr(&global.init_expr)?)?;
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(invalid)?;
                    let index = match export.kind {
                        wasmparser::ExternalKind::Func => ExternIndex::Func(export.index),
                        wasmparser::ExternalKind::Table => ExternIndex::Table(export.index),
                        wasmparser::ExternalKind::Memory => ExternIndex::Memory(export.index),
                        wasmparser::ExternalKind::Global => ExternIndex::Global(export.index),
                        other => {
                            return Err(Error::Invalid(format!("unsupported export {other:?}")))
                        }
                    };
                    push(&mut self.exports, (fallible::string(export.name)?, index))?;
                }
            }
            Payload::StartSection { func, .. } => self.start = Some(func),
            Payload::CustomSection(reader) => {
                if let wasmparser::KnownCustom::Name(names) = reader.as_known() {
                    self.read_names(names);
                }
            }
            Payload::ElementSection(reader) => {
                for element in reader {
                    self.read_element(element.map_err(invalid)?)?;
                }
            }
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data.map_err(invalid)?;
                    let mode = match data.kind {
                        wasmparser::DataKind::Passive => SegmentMode::Passive,
                        wasmparser::DataKind::Active {
                            memory_index,
                            offset_expr,
                        } => SegmentMode::Active {
                            index: memory_index,
                            offset: const_expr(&offset_expr)?,
                        },
                    };
                    let bytes = fallible::copy_of(data.data, 0)?;
                    push(&mut self.datas, DataSegment { mode, bytes })?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Keeps the function names of a name section; stops quietly at anything malformed,
    /// and at a name whose copy is refused (names only label detections).
    fn read_names(&mut self, names: wasmparser::NameSectionReader<'_>) {
        for name in names.into_iter().map_while(Result::ok) {
            if let wasmparser::Name::Function(map) = name {
                for naming in map.into_iter().map_while(Result::ok) {
                    let Ok(name) = fallible::string(naming.name) else {
                        return;
                    };
                    self.names.insert(naming.index, name);
                }
            }
        }
    }

    fn read_element(&mut self, element: wasmparser::Element<'_>) -> Result<(), Error> {
        let mode = match element.kind {
            wasmparser::ElementKind::Passive => SegmentMode::Passive,
            wasmparser::ElementKind::Declared => SegmentMode::Declared,
            wasmparser::ElementKind::Active {
                table_index,
                offset_expr,
            } => SegmentMode::Active {
                index: table_index.unwrap_or(0),
                offset: const_expr(&offset_expr)?,
            },
        };
        let mut items = Vec::new();
        match element.items {
            wasmparser::ElementItems::Functions(reader) => {
                for func in reader {
                    push(&mut items, ConstExpr::RefFunc(func.map_err(invalid)?))?;
                }
            }
            wasmparser::ElementItems::Expressions(_, reader) => {
                for expr in reader {
                    push(&mut items, const_expr(&expr.map_err(invalid)?)?)?;
                }
            }
        }
        push(&mut self.elems, ElemSegment { mode, items })?;
        Ok(())
    }

    /// The type of function `index` (imports first).
    pub(crate) fn func_type(&self, index: u32) -> Option<&FuncType> {
        let type_index = *self.funcs.get(index as usize)?;
        self.types.get(type_index as usize)
    }

    fn extern_type(&self, index: ExternIndex) -> Option<ExternType> {
        Some(match index {
            ExternIndex::Func(i) => ExternType::Func(self.func_type(i)?.clone()),
            ExternIndex::Table(i) => ExternType::Table(*self.tables.get(i as usize)?),
            ExternIndex::Memory(i) => ExternType::Memory(*self.memories.get(i as usize)?),
            ExternIndex::Global(i) => ExternType::Global(*self.globals.get(i as usize)?),
        })
    }

    /// The module's imports, in order.
    pub fn imports(&self) -> impl Iterator<Item = ImportType> + '_ {
        self.imports.iter().filter_map(|import| {
            let ty = match import.ty {
                ImportKind::Func(t) => ExternType::Func(self.types.get(t as usize)?.clone()),
                ImportKind::Table(t) => ExternType::Table(t),
                ImportKind::Memory(t) => ExternType::Memory(t),
                ImportKind::Global(t) => ExternType::Global(t),
            };
            Some(ImportType {
                module: import.module.clone(),
                name: import.name.clone(),
                ty,
            })
        })
    }

    /// The module's exports, in order.
    pub fn exports(&self) -> impl Iterator<Item = ExportType> + '_ {
        self.exports.iter().filter_map(|(name, index)| {
            Some(ExportType {
                name: name.clone(),
                ty: self.extern_type(*index)?,
            })
        })
    }

    /// Whether the module has a start function (run by instantiation).
    pub fn has_start(&self) -> bool {
        self.start.is_some()
    }
}
