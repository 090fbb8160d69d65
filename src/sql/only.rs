//! `FROM ONLY c` / `UPDATE ONLY c` / `DELETE FROM ONLY c`: PostgreSQL's "this table, not its inheritance
//! children". sqlparser reads `ONLY` as a table name and `c` as its alias, which made every such statement act
//! on a collection named `ONLY`. MongoDB collections have no inheritance, so `ONLY c` means `c`: the relation
//! is rewritten to `c` without an alias. A quoted `"ONLY"` is a real name and stays.

use sqlparser::ast::{ObjectNamePart, TableFactor, VisitMut, VisitorMut};
use std::ops::ControlFlow;

/// Rewrites every `ONLY name` relation of `node` to `name`.
pub(crate) fn strip_only<V: VisitMut>(node: &mut V) {
    struct Only;
    impl VisitorMut for Only {
        type Break = ();
        fn pre_visit_table_factor(&mut self, t: &mut TableFactor) -> ControlFlow<()> {
            if let TableFactor::Table {
                name,
                alias: alias @ Some(_),
                args: None,
                ..
            } = t
            {
                let is_only = matches!(
                    name.0.as_slice(),
                    [ObjectNamePart::Identifier(i)]
                        if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("ONLY")
                );
                let plain = alias
                    .as_ref()
                    .is_some_and(|a| !a.explicit && a.columns.is_empty());
                if is_only && plain {
                    if let Some(a) = alias.take() {
                        name.0 = vec![ObjectNamePart::Identifier(a.name)];
                    }
                }
            }
            ControlFlow::Continue(())
        }
    }
    super::depth::with_stack(|| {
        let _ = node.visit(&mut Only);
    });
}
