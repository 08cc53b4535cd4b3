//! Validation and translation in one pass over each operator's bytes.
//!
//! wasmparser's validator is a [`VisitOperator`]: reading an `Operator` value first and
//! handing it to the validator decodes each operator into the enum, then matches the enum
//! again to reach the validator's method for it. [`Both`] is the visitor the reader calls
//! instead: each method validates through the validator's own method and passes the operator,
//! built from the same arguments, to the translator.

use super::{invalid, Translator};
use crate::error::Error;
// `for_each_visit_operator!` names `Vec` (`try_table`'s catches).
use alloc::vec::Vec;
use wasmparser::{Operator, VisitOperator};

/// The validator's visitor for one operator and the translator.
pub(super) struct Both<'t, 'm, V> {
    pub(super) validator: V,
    pub(super) translator: &'t mut Translator<'m>,
}

macro_rules! visit_both {
    ($(@$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(
            fn $visit(&mut self $($(, $arg: $argty)*)?) -> Result<(), Error> {
                self.validator.$visit($($($arg.clone()),*)?).map_err(invalid)?;
                self.translator.operator(&Operator::$op $({ $($arg),* })?)
            }
        )*
    };
}

impl<'a, V> VisitOperator<'a> for Both<'_, '_, V>
where
    V: VisitOperator<'a, Output = wasmparser::Result<()>>,
{
    type Output = Result<(), Error>;

    wasmparser::for_each_visit_operator!(visit_both);
}
