//! The typed aggregation expression ([`Expr`]): the nodes the translator builds most (field paths, variables,
//! literals, comparisons, the boolean connectives, `$ifNull`, `$cond`) as enum variants, and every other
//! operator as its BSON ([`Expr::Bson`], the passthrough). The translator carries an `Expr` through its
//! expression path and inspects it by pattern matching (a field path is `Expr::Field`, a `$literal` is
//! `Expr::Literal`, ...); it is rendered to the exact document a mongod reads (`Bson::from(expr)`) where it
//! enters a stage or an operator still built as BSON.

use super::expr::Cmp;
use bson::{Bson, Document};

/// An aggregation expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `"$path"`: a field path (`a.b.c`) of the current document; the path is held without its `$`.
    Field(String),
    /// `"$$name"`: a variable (`ROOT`, `NOW`, `this.v`, a `$let` name); held without its `$$`.
    Var(String),
    /// `{$literal: v}`: a value never read as an expression.
    Literal(Bson),
    /// `{$op: [a, b]}`: a comparison.
    Cmp(Cmp, Box<Expr>, Box<Expr>),
    /// `{$and: [...]}`, as given (flattening is [`super::expr::and_flat`]'s).
    And(Vec<Expr>),
    /// `{$or: [...]}`, as given.
    Or(Vec<Expr>),
    /// `{$not: [x]}`.
    Not(Box<Expr>),
    /// `{$ifNull: [x, ..., fallback]}`: the first operand neither null nor missing, else the last.
    IfNull(Vec<Expr>),
    /// `{$cond: [if, then, else]}` (array form).
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    /// Anything else, as its BSON: a constant written as itself (a number, a boolean, null, a date, a string
    /// not starting with `$`) or an operator the typed nodes do not model (`{$add: [...]}`, ...).
    Bson(Bson),
}

fn op(name: &str, arg: Bson) -> Bson {
    let mut d = Document::new();
    d.insert(name, arg);
    Bson::Document(d)
}

fn array(items: Vec<Expr>) -> Bson {
    Bson::Array(items.into_iter().map(Bson::from).collect())
}

impl Expr {
    /// The document of a passthrough operator (`Expr::Bson` holding a document), for the readers of operator
    /// documents the typed nodes do not model; `None` for every typed node and for constants.
    pub fn as_document(&self) -> Option<&Document> {
        match self {
            Expr::Bson(Bson::Document(d)) => Some(d),
            _ => None,
        }
    }

    /// The constant written as itself (`Expr::Bson` holding no document and no array), e.g. `true` or `3`.
    pub fn as_plain_value(&self) -> Option<&Bson> {
        match self {
            Expr::Bson(b) if !matches!(b, Bson::Document(_) | Bson::Array(_)) => Some(b),
            _ => None,
        }
    }
}

impl From<Expr> for Bson {
    /// Renders the expression: exactly the document the builders of [`super::expr`] made before the typed
    /// nodes existed (`tests` and the golden corpus hold them to it).
    fn from(e: Expr) -> Bson {
        match e {
            Expr::Field(p) => Bson::String(super::expr::field_ref(&p)),
            Expr::Var(v) => Bson::String(super::expr::var_ref(&v)),
            Expr::Literal(v) => op("$literal", v),
            Expr::Cmp(c, a, b) => op(c.name(), array(vec![*a, *b])),
            Expr::And(parts) => op("$and", array(parts)),
            Expr::Or(parts) => op("$or", array(parts)),
            Expr::Not(x) => op("$not", array(vec![*x])),
            Expr::IfNull(parts) => op("$ifNull", array(parts)),
            Expr::Cond(c, t, e) => op("$cond", array(vec![*c, *t, *e])),
            Expr::Bson(b) => b,
        }
    }
}

impl From<Bson> for Expr {
    /// A BSON value in aggregation position: a string starting with `$$` is a variable and one starting with
    /// `$` a field path (that is what mongod reads them as); anything else is held as it is.
    fn from(b: Bson) -> Expr {
        match b {
            Bson::String(s) if s.starts_with('$') => match s.strip_prefix("$$") {
                Some(v) => Expr::Var(v.to_string()),
                None => Expr::Field(s[1..].to_string()),
            },
            other => Expr::Bson(other),
        }
    }
}

impl From<Document> for Expr {
    fn from(d: Document) -> Expr {
        Expr::Bson(Bson::Document(d))
    }
}

impl From<Vec<Bson>> for Expr {
    fn from(v: Vec<Bson>) -> Expr {
        Expr::Bson(Bson::Array(v))
    }
}

impl From<bool> for Expr {
    fn from(b: bool) -> Expr {
        Expr::Bson(Bson::Boolean(b))
    }
}

impl From<i32> for Expr {
    fn from(i: i32) -> Expr {
        Expr::Bson(Bson::Int32(i))
    }
}

impl From<i64> for Expr {
    fn from(i: i64) -> Expr {
        Expr::Bson(Bson::Int64(i))
    }
}

impl From<f64> for Expr {
    fn from(f: f64) -> Expr {
        Expr::Bson(Bson::Double(f))
    }
}

impl From<&str> for Expr {
    fn from(s: &str) -> Expr {
        Expr::from(Bson::String(s.to_string()))
    }
}

impl From<String> for Expr {
    fn from(s: String) -> Expr {
        Expr::from(Bson::String(s))
    }
}

#[cfg(test)]
mod tests {
    //! The typed nodes against the builders they replaced: `old` below is the BSON-building code of
    //! `mql::expr` before the typed nodes (operators, `and_flat` / `or_flat`, the readers), kept verbatim as the
    //! reference. Every typed node must render exactly what it built, and the readers must read the same.
    use super::super::expr as ex;
    use super::*;
    use bson::{bson, doc};
    use proptest::prelude::*;

    mod old {
        use bson::{Bson, Document};

        pub fn op(name: &str, arg: Bson) -> Bson {
            let mut d = Document::new();
            d.insert(name, arg);
            Bson::Document(d)
        }
        pub fn flat(name: &str, unit: bool, parts: Vec<Bson>) -> Bson {
            let mut out = Vec::new();
            for p in parts {
                match p {
                    Bson::Boolean(b) if b == unit => {}
                    Bson::Document(mut d) if d.len() == 1 && d.contains_key(name) => {
                        if let Some(Bson::Array(inner)) = d.remove(name) {
                            out.extend(inner);
                        }
                    }
                    other => out.push(other),
                }
            }
            match out.len() {
                0 => Bson::Boolean(unit),
                1 => out.pop().unwrap_or(Bson::Boolean(unit)),
                _ => op(name, Bson::Array(out)),
            }
        }
        pub fn literal_value(e: &Bson) -> Option<&Bson> {
            match e {
                Bson::Document(d) if d.len() == 1 => d.get("$literal"),
                _ => None,
            }
        }
        pub fn field_path_of(e: &Bson) -> Option<&str> {
            match e {
                Bson::String(s) if !s.starts_with("$$") => s.strip_prefix('$'),
                _ => None,
            }
        }
        pub fn if_null_operands(e: &Bson) -> Option<&Vec<Bson>> {
            match e {
                Bson::Document(d) if d.len() == 1 => d.get_array("$ifNull").ok(),
                _ => None,
            }
        }
    }

    #[test]
    fn each_typed_node_renders_the_document_its_builder_made() {
        let cases: Vec<(Expr, Bson)> = vec![
            (ex::field("a.b"), bson!("$a.b")),
            (ex::var("this.v"), bson!("$$this.v")),
            (ex::root(), bson!("$$ROOT")),
            (ex::now(), bson!("$$NOW")),
            (ex::remove(), bson!("$$REMOVE")),
            (ex::literal("$x"), bson!({"$literal": "$x"})),
            (ex::literal(doc! {"a": 1}), bson!({"$literal": {"a": 1}})),
            (ex::eq(ex::field("a"), 1), bson!({"$eq": ["$a", 1]})),
            (
                ex::ne(ex::field("a"), Bson::Null),
                bson!({"$ne": ["$a", null]}),
            ),
            (ex::lt(1, 2), bson!({"$lt": [1, 2]})),
            (ex::lte(1, 2), bson!({"$lte": [1, 2]})),
            (ex::gt(1, 2), bson!({"$gt": [1, 2]})),
            (ex::gte(1, 2), bson!({"$gte": [1, 2]})),
            (ex::cmp(Cmp::Lt.negated(), 1, 2), bson!({"$gte": [1, 2]})),
            (
                ex::is_null(ex::field("a")),
                bson!({"$eq": [{"$ifNull": ["$a", null]}, null]}),
            ),
            (
                ex::not_null(ex::field("a")),
                bson!({"$ne": [{"$ifNull": ["$a", null]}, null]}),
            ),
            (ex::or_null(ex::var("v")), bson!({"$ifNull": ["$$v", null]})),
            (ex::if_null("$a", ""), bson!({"$ifNull": ["$a", ""]})),
            (
                ex::if_null_all(vec![bson!("$a"), bson!("$b"), bson!(0)]),
                bson!({"$ifNull": ["$a", "$b", 0]}),
            ),
            (
                ex::cond(ex::field("c"), true, Bson::Null),
                bson!({"$cond": ["$c", true, null]}),
            ),
            (ex::not(ex::field("p")), bson!({"$not": ["$p"]})),
            (
                ex::and(vec![bson!("$a"), bson!(true)]),
                bson!({"$and": ["$a", true]}),
            ),
            (ex::or(vec![bson!("$a")]), bson!({"$or": ["$a"]})),
            (ex::and(Vec::<Bson>::new()), bson!({"$and": []})),
            // A typed node inside a builder still returning BSON renders in place.
            (
                Expr::from(ex::floor(ex::or_null(ex::field("x")))),
                bson!({"$floor": {"$ifNull": ["$x", null]}}),
            ),
        ];
        for (typed, want) in cases {
            assert_eq!(Bson::from(typed.clone()), want, "{typed:?}");
        }
    }

    #[test]
    fn readers_match_the_typed_nodes() {
        assert_eq!(ex::field_path_of(&ex::field("a.b")), Some("a.b"));
        assert_eq!(ex::field_path_of(&ex::var("v")), None);
        assert_eq!(ex::field_path_of(&Expr::from(bson!("$a"))), Some("a"));
        assert_eq!(ex::literal_value(&ex::literal(3)), Some(&Bson::Int32(3)));
        assert_eq!(ex::literal_value(&Expr::from(3)), None);
        let n = ex::or_null(ex::field("a"));
        assert_eq!(
            ex::if_null_operands(&n).map(<[Expr]>::len),
            Some(2),
            "{n:?}"
        );
        assert!(ex::rendered_never_missing(
            &bson!({"$ifNull": ["$a", null]})
        ));
        assert!(ex::rendered_never_missing(&bson!({"$literal": "$a"})));
        assert!(!ex::rendered_never_missing(
            &bson!({"$ifNull": ["$a", "$b"]})
        ));
        assert!(!ex::rendered_never_missing(&bson!("$a")));
    }

    /// Leaves: field paths, variables, literals and plain constants (`true` / `false` among them, which the
    /// flattening drops).
    fn leaf() -> impl Strategy<Value = Expr> {
        prop_oneof![
            "[a-c]{1,2}".prop_map(|p| ex::field(&p)),
            "[a-c]{1,2}".prop_map(|v| ex::var(&v)),
            any::<i32>().prop_map(ex::literal),
            any::<bool>().prop_map(Expr::from),
            any::<i32>().prop_map(Expr::from),
            Just(Expr::Bson(Bson::Null)),
            "[a-c$]{0,3}".prop_map(Expr::from),
        ]
    }

    /// Typed trees built through the builders, with passthrough operators in between.
    fn tree() -> impl Strategy<Value = Expr> {
        leaf().prop_recursive(4, 48, 4, |inner| {
            prop_oneof![
                (0..6usize, inner.clone(), inner.clone()).prop_map(|(c, a, b)| {
                    let c = [Cmp::Eq, Cmp::Ne, Cmp::Lt, Cmp::Lte, Cmp::Gt, Cmp::Gte][c];
                    ex::cmp(c, a, b)
                }),
                prop::collection::vec(inner.clone(), 0..4).prop_map(ex::and),
                prop::collection::vec(inner.clone(), 0..4).prop_map(ex::or),
                prop::collection::vec(inner.clone(), 0..4).prop_map(ex::and_flat),
                prop::collection::vec(inner.clone(), 0..4).prop_map(ex::or_flat),
                inner.clone().prop_map(ex::not),
                inner.clone().prop_map(ex::or_null),
                inner.clone().prop_map(ex::is_null),
                (inner.clone(), inner.clone(), inner.clone())
                    .prop_map(|(c, t, e)| ex::cond(c, t, e)),
                inner.clone().prop_map(|x| Expr::from(ex::abs(x))),
            ]
        })
    }

    /// The old builders applied to the rendered operands of a typed node: what the translator built before.
    fn old_build(e: &Expr) -> Bson {
        match e {
            Expr::Cmp(c, a, b) => old::op(c.name(), Bson::Array(vec![old_build(a), old_build(b)])),
            Expr::And(p) => old::op("$and", Bson::Array(p.iter().map(old_build).collect())),
            Expr::Or(p) => old::op("$or", Bson::Array(p.iter().map(old_build).collect())),
            Expr::Not(x) => old::op("$not", Bson::Array(vec![old_build(x)])),
            Expr::IfNull(p) => old::op("$ifNull", Bson::Array(p.iter().map(old_build).collect())),
            Expr::Cond(c, t, f) => old::op(
                "$cond",
                Bson::Array(vec![old_build(c), old_build(t), old_build(f)]),
            ),
            Expr::Literal(v) => old::op("$literal", v.clone()),
            Expr::Field(p) => Bson::String(format!("${p}")),
            Expr::Var(v) => Bson::String(format!("$${v}")),
            Expr::Bson(b) => b.clone(),
        }
    }

    proptest! {
        #[test]
        fn rendering_a_typed_tree_equals_the_old_builders(e in tree()) {
            prop_assert_eq!(Bson::from(e.clone()), old_build(&e));
        }

        #[test]
        fn flattening_typed_parts_equals_the_old_flattening(parts in prop::collection::vec(tree(), 0..5)) {
            let rendered: Vec<Bson> = parts.iter().cloned().map(Bson::from).collect();
            prop_assert_eq!(
                Bson::from(ex::and_flat(parts.clone())),
                old::flat("$and", true, rendered.clone())
            );
            prop_assert_eq!(Bson::from(ex::or_flat(parts)), old::flat("$or", false, rendered));
        }

        #[test]
        fn the_readers_read_what_the_old_readers_read(e in tree()) {
            let b = Bson::from(e.clone());
            prop_assert_eq!(ex::field_path_of(&e), old::field_path_of(&b));
            prop_assert_eq!(ex::literal_value(&e), old::literal_value(&b));
            let typed = ex::if_null_operands(&e).map(|p| p.iter().cloned().map(Bson::from).collect::<Vec<_>>());
            prop_assert_eq!(typed.as_ref(), old::if_null_operands(&b));
        }

        #[test]
        fn a_bson_value_enters_and_renders_unchanged(s in "[$a-c.]{0,6}", i in any::<i64>()) {
            for b in [Bson::String(s.clone()), Bson::Int64(i), bson!({"$add": [s.clone(), i]})] {
                prop_assert_eq!(Bson::from(Expr::from(b.clone())), b);
            }
        }
    }
}
