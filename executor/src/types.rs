//! Types of the entities a module imports and exports.

use crate::value::{FuncType, ValType};
use alloc::string::String;

/// The size of a WebAssembly page.
pub const PAGE_SIZE: u64 = 65_536;

/// A linear memory's limits, in 64 KiB pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryType {
    pub min_pages: u64,
    pub max_pages: Option<u64>,
}

/// A table's element type and limits, in elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableType {
    pub element: ValType,
    pub min: u32,
    pub max: Option<u32>,
}

/// A global's value type and mutability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlobalType {
    pub content: ValType,
    pub mutable: bool,
}

/// The type of an importable or exportable entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternType {
    Func(FuncType),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
}

/// One import of a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportType {
    pub module: String,
    pub name: String,
    pub ty: ExternType,
}

/// One export of a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportType {
    pub name: String,
    pub ty: ExternType,
}

/// Which kind of entity an export names, and its index in the module's index space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExternIndex {
    Func(u32),
    Table(u32),
    Memory(u32),
    Global(u32),
}

/// Limits subtyping of the spec (import matching): `actual` fits where `expected` is asked.
pub(crate) fn limits_match(
    actual_min: u64,
    actual_max: Option<u64>,
    expected_min: u64,
    expected_max: Option<u64>,
) -> bool {
    actual_min >= expected_min
        && match (actual_max, expected_max) {
            (_, None) => true,
            (Some(actual), Some(expected)) => actual <= expected,
            (None, Some(_)) => false,
        }
}
