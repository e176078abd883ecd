//! The filter language: compound conditions over the whole dossier, with Chinese and English
//! keywords (docs/filter.md). `parse` turns text into an `Expr`; `Expr::matches` decides one
//! dossier; `run` selects from a store. The seed's example is one filter:
//! `年龄 < 45 且 曾任(基层, 正职) 且 专业类别 属于 (经济学, 管理学) 且 考核(优秀, 近3年, 每年)`.

pub mod ast;
pub mod eval;
pub mod fields;
pub mod lexer;
pub mod parser;
pub mod values;

pub use ast::Expr;
pub use eval::Ctx;
pub use parser::{ParseError, parse};

use crate::model::{Dossier, PartialDate};
use crate::store::{Store, StoreError};

/// The seed's example, in the canonical Chinese form.
pub const SEED_EXAMPLE: &str =
    "年龄 < 45 且 曾任(基层, 正职) 且 专业类别 属于 (经济学, 管理学) 且 考核(优秀, 近3年, 每年)";

/// Every dossier of the store that matches, in id order.
pub fn run(store: &Store, expr: &Expr, today: PartialDate) -> Result<Vec<Dossier>, StoreError> {
    let units = store.directory()?;
    let ctx = Ctx {
        today,
        units: &units,
    };
    let mut out = Vec::new();
    for d in store.dossiers() {
        let d = d?;
        if expr.matches(&d, &ctx) {
            out.push(d);
        }
    }
    Ok(out)
}
