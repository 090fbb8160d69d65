//! A comparison's value form (computed operands bound once with `$let`) against the value its TRUE / FALSE
//! forms make (`t ? true : f ? false : null`, the general path), both evaluated by the embedded engine on
//! generated operands: every operator, NULL and missing on either side, operands computed, field paths or
//! constants, and the negation (NOT) of each.

use super::*;
use crate::engine::expr::{Expr as Compiled, Vars};
use bson::{doc, Document};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = Option<Bson>> {
    prop_oneof![
        Just(None),
        Just(Some(Bson::Null)),
        (-2i32..3).prop_map(|i| Some(Bson::Int32(i))),
        (-2i64..3).prop_map(|i| Some(Bson::Int64(i))),
        prop_oneof![Just(f64::NAN), Just(-0.0), Just(1.0), Just(f64::INFINITY)]
            .prop_map(|d| Some(Bson::Double(d))),
        "[ab]{0,2}".prop_map(|s| Some(Bson::String(s))),
        (0i64..2).prop_map(|m| Some(Bson::DateTime(bson::DateTime::from_millis(m)))),
        (0i32..2, 0i32..2).prop_map(|(m, d)| Some(Bson::Document(doc! {"months": m, "days": d}))),
    ]
}

/// How an operand is written in the plan.
#[derive(Debug, Clone, Copy)]
enum Form {
    /// Read through an operator (`{$let: {vars: {}, in: "$x"}}`), as a computed operand is.
    Computed,
    /// A field path.
    Field,
    /// The value itself, as a constant.
    Constant,
}

fn form() -> impl Strategy<Value = Form> {
    prop_oneof![
        Just(Form::Computed),
        Just(Form::Field),
        Just(Form::Constant)
    ]
}

fn operand(form: Form, field: &str, v: &Option<Bson>, nullable: bool) -> Agg {
    let expr = match form {
        Form::Computed => ex::Expr::Bson(ex::let_in(Document::new(), format!("${field}"))),
        Form::Field => ex::Expr::Field(field.to_string()),
        Form::Constant => ex::Expr::Literal(v.clone().unwrap_or(Bson::Null)),
    };
    Agg::new(expr, Kind::Number, nullable)
}

fn eval(e: ex::Expr, doc: &Document) -> Result<Option<Bson>, String> {
    Compiled::compile(&Bson::from(e))
        .and_then(|c| c.eval(doc, &Vars::new(bson::DateTime::from_millis(0))))
        .map_err(|e| e.to_string())
}

const OPS: [Cmp; 6] = [Cmp::Eq, Cmp::Ne, Cmp::Lt, Cmp::Lte, Cmp::Gt, Cmp::Gte];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn bound_comparison_equals_the_true_false_forms(
        op in 0usize..6,
        (x, y) in (value(), value()),
        (fx, fy) in (form(), form()),
        (nx, ny) in (any::<bool>(), any::<bool>()),
    ) {
        let nullish = |v: &Option<Bson>| matches!(v, None | Some(Bson::Null));
        // A side declared non-nullable never is NULL (the translator's promise).
        let (nx, ny) = (nx || nullish(&x), ny || nullish(&y));
        let mut doc = Document::new();
        for (k, v) in [("x", &x), ("y", &y)] {
            if let Some(v) = v {
                doc.insert(k, v.clone());
            }
        }
        let p = compared(OPS[op], operand(fx, "x", &x, nx), operand(fy, "y", &y, ny));
        let general = Pred::new(p.t.clone(), p.f.clone());
        let bound = matches!(fx, Form::Computed) || matches!(fy, Form::Computed);
        // Compared as text: a NaN constant is not equal to itself.
        let text = |e: ex::Expr| Bson::from(e).to_string();
        prop_assert_eq!(text(p.to_value()) != text(general.to_value()), bound, "the value form is taken exactly for computed operands");
        prop_assert_eq!(eval(p.to_value(), &doc), eval(general.to_value(), &doc));
        prop_assert_eq!(eval(p.clone().not().to_value(), &doc), eval(general.not().to_value(), &doc));
    }
}

#[test]
fn is_null_is_never_unknown() {
    let p = Pred::two_valued(
        is_null(&ex::Expr::Field("x".into())),
        not_null(&ex::Expr::Field("x".into())),
    );
    for doc in [doc! {}, doc! {"x": Bson::Null}, doc! {"x": 1}] {
        let general = Pred::new(p.t.clone(), p.f.clone());
        assert_eq!(eval(p.to_value(), &doc), eval(general.to_value(), &doc));
        assert_eq!(
            eval(p.clone().not().to_value(), &doc),
            eval(general.not().to_value(), &doc)
        );
    }
}
