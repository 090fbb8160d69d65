//! DDL: collections (TTL, capped, compression), indexes (unique, partial, TTL), `CREATE TABLE` as a collection
//! with a `$jsonSchema` validator, DROP, and the SHOW statements.

use super::expr::{expr_pos, literal_value};
use super::names::{collection_name, field_path, ident_pos};
use super::{Error, Position, Translated, Translator};
use crate::mql::command::IndexSpec;
use crate::mql::{Command, Output, OutputColumn};
use crate::sql::{
    AlterCollection, CollectionOption, CreateCollection, DropCollection, ShowIndexes,
};
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::{doc, Bson, Document};
use sqlparser::ast::{
    ColumnOption, CreateIndex, CreateTable, DataType, Expr, ObjectName, ObjectNamePart, ObjectType,
    Spanned, TableConstraint,
};

/// Option values: a literal string, number or boolean.
fn option_value(o: &CollectionOption) -> Result<Bson, Error> {
    match &o.value {
        Expr::Value(v) => match literal_value(&v.value, &o.value)? {
            Some(b) => Ok(b),
            None => Err(invalid_opt(o, "a literal value")),
        },
        Expr::Identifier(i) => Ok(Bson::String(i.value.clone())),
        Expr::UnaryOp {
            op: sqlparser::ast::UnaryOperator::Minus,
            ..
        } => Err(invalid_opt(o, "a non-negative number")),
        _ => Err(invalid_opt(o, "a literal value")),
    }
}

fn invalid_opt(o: &CollectionOption, want: &str) -> Error {
    Error::Invalid {
        message: format!("option {} must be {want}", o.key.value),
        position: ident_pos(&o.key),
    }
}

fn non_negative(o: &CollectionOption) -> Result<i64, Error> {
    match option_value(o)? {
        Bson::Int32(n) if n >= 0 => Ok(i64::from(n)),
        Bson::Int64(n) if n >= 0 => Ok(n),
        _ => Err(invalid_opt(o, "a non-negative integer")),
    }
}

fn text(o: &CollectionOption) -> Result<String, Error> {
    match option_value(o)? {
        Bson::String(s) => Ok(s),
        _ => Err(invalid_opt(o, "a string")),
    }
}

fn boolean(o: &CollectionOption) -> Result<bool, Error> {
    match option_value(o)? {
        Bson::Boolean(b) => Ok(b),
        _ => Err(invalid_opt(o, "true or false")),
    }
}

/// A TTL index on `field`.
fn ttl_index(field: &str, seconds: i64) -> IndexSpec {
    IndexSpec {
        key: doc! {field: 1},
        name: format!("{field}_1"),
        options: doc! {"expireAfterSeconds": seconds},
    }
}

/// MongoDB's default index name: `a_1_b_-1`.
fn default_index_name(key: &Document) -> String {
    key.iter()
        .map(|(k, v)| format!("{k}_{v}"))
        .collect::<Vec<_>>()
        .join("_")
}

/// The `SHOW COLLECTIONS` plan.
pub(crate) fn show_collections() -> Translated {
    (
        vec![Command::ListCollections {
            filter: Document::new(),
        }],
        Output::Rows {
            columns: vec![col("name"), col("type")],
        },
    )
}

fn col(name: &str) -> OutputColumn {
    OutputColumn::new(name, name)
}

impl Translator {
    /// `CREATE COLLECTION`.
    pub(crate) fn create_collection(&mut self, c: &CreateCollection) -> Result<Translated, Error> {
        let collection = collection_name(&c.name)?;
        let mut options = Document::new();
        let mut ttl_field = None;
        let mut ttl_seconds = None;
        let mut ttl_key = None;
        for o in &c.options {
            match o.key.value.to_ascii_lowercase().as_str() {
                "ttl_field" => {
                    let f = text(o)?;
                    let parts: Vec<_> = f.split('.').map(sqlparser::ast::Ident::new).collect();
                    field_path(&parts).map_err(|_| invalid_opt(o, "a field name"))?;
                    ttl_field = Some(f);
                    ttl_key = Some(o);
                }
                "expire_after_seconds" => ttl_seconds = Some(non_negative(o)?),
                "capped" => {
                    options.insert("capped", boolean(o)?);
                }
                "size" => {
                    options.insert("size", non_negative(o)?);
                }
                "max" => {
                    options.insert("max", non_negative(o)?);
                }
                "storage_engine" => {
                    if !text(o)?.eq_ignore_ascii_case("wiredTiger") {
                        return Err(invalid_opt(o, "'wiredTiger'"));
                    }
                }
                "compression" => {
                    let v = text(o)?.to_ascii_lowercase();
                    if !matches!(v.as_str(), "snappy" | "zlib" | "zstd" | "none") {
                        return Err(invalid_opt(o, "one of 'snappy', 'zlib', 'zstd', 'none'"));
                    }
                    options.insert("storageEngine", doc! {"wiredTiger": {"configString": format!("block_compressor={v}")}});
                }
                // The default collation of the collection's commands and indexes (PostgreSQL's ICU names).
                "collation" => {
                    if let Some(c) = super::collate::collation_of(&text(o)?, ident_pos(&o.key))? {
                        options.insert("collation", c);
                    }
                }
                other => {
                    return Err(Error::Invalid {
                        message: format!("unknown collection option {other} (known: ttl_field, expire_after_seconds, capped, size, max, storage_engine, compression, collation)"),
                        position: ident_pos(&o.key),
                    })
                }
            }
        }
        if options.get_bool("capped").unwrap_or(false) && !options.contains_key("size") {
            return Err(Error::Invalid {
                message: "a capped collection needs size = <bytes>".into(),
                position: Position::default(),
            });
        }
        let mut steps = vec![Command::Create {
            collection: collection.clone(),
            options,
        }];
        match (ttl_field, ttl_seconds) {
            (Some(f), Some(s)) => steps.push(Command::CreateIndexes {
                collection,
                indexes: vec![ttl_index(&f, s)],
            }),
            (Some(_), None) => {
                let pos = ttl_key.map(|o| ident_pos(&o.key)).unwrap_or_default();
                return Err(Error::Invalid {
                    message: "ttl_field needs expire_after_seconds".into(),
                    position: pos,
                });
            }
            (None, Some(_)) => {
                return Err(Error::Invalid {
                    message: "expire_after_seconds needs ttl_field".into(),
                    position: Position::default(),
                })
            }
            (None, None) => {}
        }
        if c.if_not_exists {
            self.tolerated_codes.push(48);
        }
        Ok((steps, Output::Affected))
    }

    /// `ALTER COLLECTION c SET (ttl_field = 'f', expire_after_seconds = N)`.
    pub(crate) fn alter_collection(&mut self, a: &AlterCollection) -> Result<Translated, Error> {
        let collection = collection_name(&a.name)?;
        let mut field = None;
        let mut seconds = None;
        for o in &a.options {
            match o.key.value.to_ascii_lowercase().as_str() {
                "ttl_field" => field = Some(text(o)?),
                "expire_after_seconds" => seconds = Some(non_negative(o)?),
                other => {
                    return Err(Error::Invalid {
                        message: format!("unknown option {other} for ALTER COLLECTION (known: ttl_field, expire_after_seconds)"),
                        position: ident_pos(&o.key),
                    })
                }
            }
        }
        let Some(s) = seconds else {
            return Err(Error::Invalid {
                message: "ALTER COLLECTION ... SET needs expire_after_seconds".into(),
                position: Position::default(),
            });
        };
        let Some(f) = field else {
            return Err(Error::Invalid {
                message: "ALTER COLLECTION ... SET (expire_after_seconds = N) also needs ttl_field = '<field>' to name the TTL index".into(),
                position: Position::default(),
            });
        };
        Ok((
            vec![Command::CollMod {
                collection,
                options: doc! {"index": {"keyPattern": {f: 1}, "expireAfterSeconds": s}},
            }],
            Output::Affected,
        ))
    }

    /// `DROP COLLECTION`.
    pub(crate) fn drop_collection(&mut self, d: &DropCollection) -> Result<Translated, Error> {
        let collection = collection_name(&d.name)?;
        if d.if_exists {
            self.tolerated_codes.push(26);
        }
        Ok((vec![Command::Drop { collection }], Output::Affected))
    }

    /// `SHOW INDEXES FROM c`.
    pub(crate) fn show_indexes(&mut self, s: &ShowIndexes) -> Result<Translated, Error> {
        let collection = collection_name(&s.name)?;
        Ok((
            vec![Command::ListIndexes { collection }],
            Output::Rows {
                columns: vec![
                    col("name"),
                    col("key"),
                    col("unique"),
                    col("expireAfterSeconds"),
                    col("partialFilterExpression"),
                ],
            },
        ))
    }

    /// `CREATE [UNIQUE] INDEX [name] ON c (a, b DESC) [WHERE ...] [WITH (expire_after_seconds = N)]`.
    pub(crate) fn create_index(
        &mut self,
        cx: &mut QueryContext,
        ci: &CreateIndex,
    ) -> Result<Translated, Error> {
        let CreateIndex {
            name,
            table_name,
            using,
            columns,
            unique,
            concurrently: _,
            r#async,
            if_not_exists,
            include,
            nulls_distinct,
            with,
            predicate,
            index_options,
            alter_options,
        } = ci;
        let pos = Position::from(table_name.span().start);
        let refuse = |what: &str| {
            Err(Error::Unsupported {
                kind: Refusal::Statement,
                construct: what.to_string(),
                position: pos,
            })
        };
        if let Some(u) = using {
            if !u.to_string().eq_ignore_ascii_case("btree") {
                return refuse(&format!("index method {u}"));
            }
        }
        if *r#async
            || !include.is_empty()
            || nulls_distinct.is_some()
            || !index_options.is_empty()
            || !alter_options.is_empty()
        {
            return refuse("this CREATE INDEX option");
        }
        if *if_not_exists {
            // An index of that name already exists with other options: 85 / 86.
            self.tolerated_codes.extend([85, 86]);
        }
        let collection = collection_name(table_name)?;
        let mut key = Document::new();
        for c in columns {
            if c.operator_class.is_some() {
                return refuse("operator classes");
            }
            if c.column.options.nulls_first.is_some() {
                return refuse("NULLS FIRST/LAST in an index");
            }
            let path = match &c.column.expr {
                Expr::Identifier(i) => field_path(std::slice::from_ref(i))?,
                Expr::CompoundIdentifier(parts) => field_path(parts)?,
                other => {
                    return Err(Error::Unsupported {
                        kind: Refusal::Statement,
                        construct: "index on an expression".into(),
                        position: expr_pos(other),
                    })
                }
            };
            let (desc, _) = super::query::direction(&c.column.options, &c.column.expr)?;
            let dir = if desc { -1 } else { 1 };
            key.insert(path, dir);
        }
        let mut options = Document::new();
        if *unique {
            options.insert("unique", true);
        }
        for w in with {
            match w {
                Expr::BinaryOp {
                    left,
                    op: sqlparser::ast::BinaryOperator::Eq,
                    right,
                } if matches!(left.as_ref(), Expr::Identifier(i) if i.value.eq_ignore_ascii_case("expire_after_seconds")) => {
                    match self.agg(cx, right)?.constant {
                        Some(Bson::Int32(n)) if n >= 0 => {
                            options.insert("expireAfterSeconds", i64::from(n));
                        }
                        _ => {
                            return Err(Error::Invalid {
                                message: "expire_after_seconds must be a non-negative integer"
                                    .into(),
                                position: expr_pos(right),
                            })
                        }
                    }
                }
                other => {
                    return Err(Error::Invalid {
                        message: format!(
                            "unknown index option {other} (known: expire_after_seconds)"
                        ),
                        position: expr_pos(other),
                    })
                }
            }
        }
        if options.contains_key("expireAfterSeconds") && key.len() != 1 {
            return Err(Error::Invalid {
                message: "a TTL index (expire_after_seconds) must have exactly one field".into(),
                position: pos,
            });
        }
        if let Some(p) = predicate {
            // MongoDB partial filters allow equality, `$exists: true`, `$gt/$gte/$lt/$lte`, `$type`, `$and`,
            // `$or`, `$in`.
            let f = self.expr_to_filter(cx, p)?;
            if let Some(op) = f.partial_index_refusal() {
                return Err(refuse_partial(&op, p));
            }
            options.insert("partialFilterExpression", Document::from(f));
        }
        let name = match name {
            Some(n) => index_name(n)?,
            None => default_index_name(&key),
        };
        Ok((
            vec![Command::CreateIndexes {
                collection,
                indexes: vec![IndexSpec { key, name, options }],
            }],
            Output::Affected,
        ))
    }

    /// `CREATE TABLE` -> `create` with a `$jsonSchema` validator, plus unique indexes for keys.
    pub(crate) fn create_table(
        &mut self,
        cx: &mut QueryContext,
        ct: &CreateTable,
    ) -> Result<Translated, Error> {
        let pos = Position::from(ct.name.span().start);
        let refuse = |what: &str| {
            Err(Error::Unsupported {
                kind: Refusal::Statement,
                construct: what.to_string(),
                position: pos,
            })
        };
        if let Some(q) = &ct.query {
            return self.create_table_as(cx, ct, q, collection_name(&ct.name)?, pos);
        }
        if ct.like.is_some() || ct.clone.is_some() || ct.or_replace || ct.temporary || ct.external {
            return refuse("this CREATE TABLE form");
        }
        let collection = collection_name(&ct.name)?;
        if ct.if_not_exists {
            self.tolerated_codes.push(48);
        }
        let mut properties = Document::new();
        let mut required = Vec::new();
        let mut indexes = Vec::new();
        let mut checks: Vec<&Expr> = Vec::new();
        for c in &ct.columns {
            super::names::check_field_segment(&c.name.value, ident_pos(&c.name))?;
            let types = bson_types(&c.data_type).ok_or_else(|| Error::Unsupported {
                kind: Refusal::Type,
                construct: format!("column type {}", c.data_type),
                position: ident_pos(&c.name),
            })?;
            let mut not_null = false;
            let mut default = None;
            for o in &c.options {
                match &o.option {
                    ColumnOption::NotNull => not_null = true,
                    ColumnOption::Null => {}
                    ColumnOption::PrimaryKey(_) => {
                        not_null = true;
                        indexes.push(IndexSpec {
                            key: doc! {&c.name.value: 1},
                            name: format!("{collection}_pkey"),
                            options: doc! {"unique": true},
                        });
                    }
                    ColumnOption::Unique(_) => {
                        indexes.push(IndexSpec {
                            key: doc! {&c.name.value: 1},
                            name: format!("{collection}_{}_key", c.name.value),
                            options: doc! {"unique": true},
                        });
                        self.notes.push(format!("UNIQUE on {}: MongoDB's unique index allows only one NULL/missing value (PostgreSQL allows many)", c.name.value));
                    }
                    ColumnOption::Check(check) => checks.push(&check.expr),
                    ColumnOption::Default(e) => default = Some(self.declared_default(cx, e)?),
                    other => {
                        return Err(Error::Unsupported {
                            kind: Refusal::Statement,
                            construct: format!("column option {other}"),
                            position: ident_pos(&c.name),
                        })
                    }
                }
            }
            let mut prop = Document::new();
            if let Some(mut t) = types {
                if !not_null {
                    t.push(Bson::String("null".into()));
                }
                prop.insert("bsonType", t);
            }
            if let Some(d) = default {
                prop.insert("description", d);
            }
            properties.insert(c.name.value.clone(), prop);
            if not_null {
                required.push(Bson::String(c.name.value.clone()));
            }
        }
        for tc in &ct.constraints {
            let (cols, name, is_pk) = match tc {
                TableConstraint::PrimaryKey(pk) => (
                    pk.columns
                        .iter()
                        .map(|c| c.column.expr.to_string())
                        .collect::<Vec<_>>(),
                    format!("{collection}_pkey"),
                    true,
                ),
                TableConstraint::Unique(u) => (
                    u.columns
                        .iter()
                        .map(|c| c.column.expr.to_string())
                        .collect::<Vec<_>>(),
                    format!(
                        "{collection}_{}_key",
                        u.columns
                            .iter()
                            .map(|c| c.column.expr.to_string())
                            .collect::<Vec<_>>()
                            .join("_")
                    ),
                    false,
                ),
                TableConstraint::Check(check) => {
                    checks.push(&check.expr);
                    continue;
                }
                other => {
                    return Err(Error::Unsupported {
                        kind: Refusal::Statement,
                        construct: format!("table constraint {other}"),
                        position: pos,
                    })
                }
            };
            let mut key = Document::new();
            for c in &cols {
                if !properties.contains_key(c) {
                    return Err(Error::Invalid {
                        message: format!("column \"{c}\" named in key does not exist"),
                        position: pos,
                    });
                }
                key.insert(c.clone(), 1);
                if is_pk && !required.contains(&Bson::String(c.clone())) {
                    required.push(Bson::String(c.clone()));
                    if let Ok(p) = properties.get_document_mut(c) {
                        if let Ok(t) = p.get_array_mut("bsonType") {
                            t.retain(|b| b != &Bson::String("null".into()));
                        }
                    }
                }
            }
            indexes.push(IndexSpec {
                key,
                name,
                options: doc! {"unique": true},
            });
        }
        let mut schema = doc! {"bsonType": "object"};
        if !required.is_empty() {
            schema.insert("required", required);
        }
        schema.insert("properties", properties);
        let names: Vec<&str> = ct.columns.iter().map(|c| c.name.value.as_str()).collect();
        let validator = self.check_validator(schema, &checks, &collection, &names, pos)?;
        let mut steps = vec![Command::Create {
            collection: collection.clone(),
            options: doc! {"validator": Document::from(validator)},
        }];
        if !indexes.is_empty() {
            steps.push(Command::CreateIndexes {
                collection,
                indexes,
            });
        }
        Ok((steps, Output::Affected))
    }

    /// `DROP TABLE` / `DROP INDEX coll.name`.
    pub(crate) fn drop(&mut self, s: &sqlparser::ast::Statement) -> Result<Translated, Error> {
        let sqlparser::ast::Statement::Drop {
            object_type,
            if_exists,
            names,
            cascade,
            restrict: _,
            purge,
            temporary,
            table,
        } = s
        else {
            return Err(Error::Internal("not a DROP".into()));
        };
        let pos = Position::from(s.span().start);
        if *cascade || *purge || *temporary {
            return Err(Error::Unsupported {
                kind: Refusal::Statement,
                construct: "DROP ... CASCADE/PURGE/TEMPORARY".into(),
                position: pos,
            });
        }
        if *if_exists {
            self.tolerated_codes.extend([26, 27]);
        }
        let mut steps = Vec::new();
        match object_type {
            ObjectType::Table | ObjectType::View => {
                for n in names {
                    steps.push(Command::Drop {
                        collection: collection_name(n)?,
                    });
                }
            }
            ObjectType::MaterializedView => {
                for n in names {
                    let name = collection_name(n)?;
                    steps.extend(super::matview::drop_steps(name));
                }
            }
            ObjectType::Index => {
                for n in names {
                    let (coll, idx) = match (table, n.0.as_slice()) {
                        (Some(t), [ObjectNamePart::Identifier(i)]) => (collection_name(t)?, i.value.clone()),
                        (None, [ObjectNamePart::Identifier(c), ObjectNamePart::Identifier(i)]) => {
                            (collection_name(&ObjectName::from(vec![c.clone()]))?, i.value.clone())
                        }
                        _ => {
                            return Err(Error::Invalid {
                                message: format!("DROP INDEX {n}: name the collection too, as DROP INDEX collection.index_name"),
                                position: pos,
                            })
                        }
                    };
                    steps.push(Command::DropIndexes {
                        collection: coll,
                        index: idx,
                    });
                }
            }
            other => {
                return Err(Error::Unsupported {
                    kind: Refusal::Statement,
                    construct: format!("DROP {other}"),
                    position: pos,
                })
            }
        }
        Ok((steps, Output::Affected))
    }
}

fn index_name(n: &ObjectName) -> Result<String, Error> {
    match n.0.as_slice() {
        [ObjectNamePart::Identifier(i)] => Ok(i.value.clone()),
        _ => Err(Error::Invalid {
            message: format!("index name {n} must be a single name"),
            position: Position::from(n.span().start),
        }),
    }
}

/// The BSON types a column of this SQL type accepts (`None` inside: any type, for json/jsonb).
fn bson_types(t: &DataType) -> Option<Option<Vec<Bson>>> {
    let s = |v: &[&str]| {
        Some(Some(
            v.iter().map(|x| Bson::String((*x).to_string())).collect(),
        ))
    };
    match t {
        DataType::Text
        | DataType::Varchar(_)
        | DataType::CharacterVarying(_)
        | DataType::Char(_)
        | DataType::Character(_)
        | DataType::String(_)
        | DataType::Uuid => s(&["string"]),
        DataType::Int(_)
        | DataType::Integer(_)
        | DataType::Int4(_)
        | DataType::SmallInt(_)
        | DataType::Int2(_) => s(&["int"]),
        DataType::BigInt(_) | DataType::Int8(_) => s(&["int", "long"]),
        DataType::Numeric(_) | DataType::Decimal(_) | DataType::Dec(_) => {
            s(&["decimal", "double", "int", "long"])
        }
        DataType::Double(_)
        | DataType::DoublePrecision
        | DataType::Float(_)
        | DataType::Float8
        | DataType::Real
        | DataType::Float4 => s(&["double", "int", "long"]),
        DataType::Boolean | DataType::Bool => s(&["bool"]),
        DataType::Timestamp(..) | DataType::Date | DataType::Datetime(_) => s(&["date"]),
        DataType::JSONB | DataType::JSON => Some(None),
        DataType::Array(_) => s(&["array"]),
        _ => None,
    }
}

fn refuse_partial(op: &str, e: &Expr) -> Error {
    Error::Unsupported {
        kind: Refusal::Statement,
        construct: format!("index WHERE clause needing {op} (MongoDB partial indexes allow only =, <, <=, >, >=, IN, IS NOT NULL, AND, OR)"),
        position: expr_pos(e),
    }
}
