//! The catalog from a backend: the declared tables and views a statement names, read with one
//! `listCollections` (filtered by name) before the statement is translated, on the embedded engine and on a
//! MongoDB deployment alike. Never cached across statements: a table another client creates, alters or drops
//! is seen by the next statement (docs/architecture.md, "Catalog").

use crate::driver::Backend;
use crate::translate::catalog::{Column, Table, View};
use crate::translate::Catalog;
use bson::{doc, Bson, Document};

/// The catalog entries of `names` in database `db`: one `listCollections` with `{name: {$in: names}}`
/// (none when `names` is empty).
pub async fn fetch(
    backend: &dyn Backend,
    db: &str,
    names: &[String],
) -> Result<Catalog, crate::Error> {
    if names.is_empty() {
        return Ok(Catalog::new());
    }
    let reply = backend
        .run_command(
            db,
            doc! {"listCollections": 1, "filter": {"name": {"$in": names.to_vec()}}},
        )
        .await
        .and_then(crate::driver::check_reply);
    let reply = match reply {
        Ok(r) => r,
        // A user without the listCollections privilege (13 Unauthorized) cannot read declarations: the
        // statement is translated schemaless, as without CREATE TABLE (docs/dialect.md, "Declared tables").
        Err(crate::Error::Command(e)) if e.code == 13 => return Ok(Catalog::new()),
        Err(e) => return Err(e),
    };
    let infos = reply
        .get_document("cursor")
        .ok()
        .and_then(|c| c.get_array("firstBatch").ok());
    Ok(match infos {
        Some(a) => from_collection_infos(a.iter().filter_map(Bson::as_document)),
        None => Catalog::new(),
    })
}

/// The catalog of a whole database (what `sqlmongo catalog dump` writes).
pub async fn fetch_all(backend: &dyn Backend, db: &str) -> Result<Catalog, crate::Error> {
    let reply = backend.run_command(db, doc! {"listCollections": 1}).await?;
    let reply = crate::driver::check_reply(reply)?;
    let infos = reply
        .get_document("cursor")
        .ok()
        .and_then(|c| c.get_array("firstBatch").ok());
    Ok(match infos {
        Some(a) => from_collection_infos(a.iter().filter_map(Bson::as_document)),
        None => Catalog::new(),
    })
}

/// Adds what one `listCollections` entry declares: a collection's `$jsonSchema` validator with
/// `properties` (as `CREATE TABLE` writes it) becomes a table, a view whose pipeline ends with a
/// renaming `$project` (as `CREATE VIEW` writes it) a view with those columns. Anything else declares
/// nothing (schemaless).
pub fn add_collection_info(catalog: &mut Catalog, info: &Document) {
    let Ok(name) = info.get_str("name") else {
        return;
    };
    let options = info.get_document("options").ok();
    if info.get_str("type").ok() == Some("view") {
        if let Some(cols) = options.and_then(view_columns) {
            catalog
                .views
                .insert(name.to_string(), View { columns: cols });
        }
        return;
    }
    let schema = options
        .and_then(|o| o.get_document("validator").ok())
        .and_then(|v| v.get_document("$jsonSchema").ok());
    if let Some(table) = schema.and_then(table_of_schema) {
        catalog.tables.insert(name.to_string(), table);
    }
}

/// The catalog of `listCollections` entries ([`add_collection_info`] for each).
pub fn from_collection_infos<'a>(infos: impl IntoIterator<Item = &'a Document>) -> Catalog {
    let mut c = Catalog::new();
    for i in infos {
        add_collection_info(&mut c, i);
    }
    c
}

/// A table from a `$jsonSchema` document with `properties`.
fn table_of_schema(schema: &Document) -> Option<Table> {
    let props = schema.get_document("properties").ok()?;
    let required: Vec<&str> = schema
        .get_array("required")
        .map(|a| a.iter().filter_map(Bson::as_str).collect())
        .unwrap_or_default();
    let columns = props
        .iter()
        .map(|(name, prop)| Column {
            name: name.clone(),
            ty: match prop {
                Bson::Document(p) => sql_type(p),
                _ => None,
            },
            not_null: required.contains(&name.as_str()),
            primary_key: false,
            default: match prop {
                Bson::Document(p) => p
                    .get_str("description")
                    .ok()
                    .and_then(|d| d.strip_prefix(crate::translate::column_default::DEFAULT_PREFIX))
                    .map(str::to_string),
                _ => None,
            },
        })
        .collect();
    Some(Table { columns })
}

/// The SQL type `CREATE TABLE` mapped to a property's `bsonType` list (ddl.rs `bson_types`).
fn sql_type(prop: &Document) -> Option<String> {
    let Some(types) = prop.get("bsonType") else {
        return Some("jsonb".into());
    };
    let names: Vec<&str> = match types {
        Bson::String(s) => vec![s.as_str()],
        Bson::Array(a) => a.iter().filter_map(Bson::as_str).collect(),
        _ => return None,
    };
    let has = |n: &str| names.contains(&n);
    let t = if has("decimal") {
        "numeric"
    } else if has("double") {
        "double precision"
    } else if has("long") {
        "bigint"
    } else if has("int") {
        "integer"
    } else if has("bool") {
        "boolean"
    } else if has("date") {
        "timestamptz"
    } else if has("string") {
        "text"
    } else if has("array") {
        "array"
    } else {
        return None;
    };
    Some(t.into())
}

/// A view's columns: the keys of its pipeline's last stage when it is a `$project` that excludes `_id` and
/// includes or computes everything else (the renaming `$project` of `CREATE VIEW`).
fn view_columns(options: &Document) -> Option<Vec<String>> {
    let pipeline = options.get_array("pipeline").ok()?;
    let last = pipeline.last()?.as_document()?;
    let project = last.get_document("$project").ok()?;
    if last.len() != 1 {
        return None;
    }
    let id_excluded = matches!(
        project.get("_id"),
        Some(Bson::Int32(0)) | Some(Bson::Int64(0)) | Some(Bson::Boolean(false))
    );
    if !id_excluded {
        return None;
    }
    let mut cols = Vec::new();
    for (k, v) in project {
        if k == "_id" {
            continue;
        }
        let excluded = match v {
            Bson::Int32(0) | Bson::Int64(0) | Bson::Boolean(false) => true,
            Bson::Double(d) => *d == 0.0,
            _ => false,
        };
        if excluded || k.contains('.') {
            return None;
        }
        cols.push(k.clone());
    }
    Some(cols)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_default_is_read_from_the_description_only_with_its_prefix() {
        let info = doc! {"name": "t", "type": "collection", "options": {"validator": {"$jsonSchema": {
        "bsonType": "object", "properties": {
            "a": {"bsonType": ["int", "null"], "description": "DEFAULT 1 + 2"},
            "b": {"bsonType": ["string", "null"], "description": "a user's note"},
            "c": {"bsonType": ["date", "null"]}}}}}};
        let c = from_collection_infos([&info]);
        let default = |col: &str| c.column("t", col).and_then(|x| x.default.clone());
        assert_eq!(default("a"), Some("1 + 2".into()));
        assert_eq!(default("b"), None);
        assert_eq!(default("c"), None);
    }

    #[test]
    fn a_validator_declares_columns_in_order() {
        let info = doc! {"name": "t", "type": "collection", "options": {"validator": {"$jsonSchema": {
        "bsonType": "object", "required": ["k"],
        "properties": {"k": {"bsonType": ["string"]}, "v": {"bsonType": ["int", "null"]}, "j": {}}}}}};
        let c = from_collection_infos([&info]);
        assert_eq!(
            c.columns("t"),
            Some(vec!["k".into(), "v".into(), "j".into()])
        );
        assert!(c.is_not_null("t", "k"));
        assert!(!c.is_not_null("t", "v"));
        assert!(!c.is_not_null("t", "nope"));
        assert_eq!(
            c.column("t", "v").and_then(|x| x.ty.clone()),
            Some("integer".into())
        );
        assert_eq!(
            c.column("t", "j").and_then(|x| x.ty.clone()),
            Some("jsonb".into())
        );
        assert_eq!(c.columns("other"), None);
    }

    #[test]
    fn a_collection_without_validator_is_schemaless() {
        let info = doc! {"name": "c", "type": "collection", "options": {}};
        assert!(from_collection_infos([&info]).is_empty());
    }

    #[test]
    fn a_view_with_a_renaming_project_has_its_columns() {
        let info = doc! {"name": "v", "type": "view", "options": {"viewOn": "t", "pipeline": [
        {"$match": {}}, {"$project": {"_id": 0, "a": "$c0", "b": {"$ifNull": ["$c1", null]}}}]}};
        let c = from_collection_infos([&info]);
        assert_eq!(c.columns("v"), Some(vec!["a".into(), "b".into()]));
        let open = doc! {"name": "w", "type": "view", "options": {"viewOn": "t", "pipeline": [
        {"$project": {"a": 1}}]}};
        assert!(from_collection_infos([&open]).is_empty());
    }
}
