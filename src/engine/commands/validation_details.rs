//! `errInfo.details` of a document validation failure (121), as mongod 7.0 explains which part of the
//! collection's validator a document did not satisfy (the manual's "Schema Validation" pages show these
//! replies):
//! - a `$jsonSchema` validator: `{operatorName: "$jsonSchema", schemaRulesNotSatisfied: [...]}`, one entry per
//!   failing keyword: `required` (`missingProperties`), `properties` (`propertiesNotSatisfied`: each property
//!   with its `description` and its own failing rules), `bsonType` / `type` (`consideredType`), `minimum` /
//!   `maximum`, string lengths, `pattern`, `enum`, `additionalProperties`, array lengths, `uniqueItems`,
//!   `items` (`itemIndex`), property counts and the combinators;
//! - a query-operator validator: the operator that failed (`$gt`, `$type`, `$in`, `$regex`, `$exists`, ...)
//!   with `specifiedAs`, a `reason` and the `consideredValue`; `$and` / `$or` list their
//!   `clausesNotSatisfied` by `index` (several top-level fields are an implicit `$and`), `$nor` its
//!   `clausesSatisfied`.
//!
//! Which keyword or clause failed is decided by the engine's own matcher and schema code on that keyword
//! alone, so the details never disagree with the verdict.

use crate::engine::bson_order::type_name;
use crate::engine::expr::Vars;
use crate::engine::matcher::Matcher;
use crate::engine::validation::Schema;
use bson::{doc, Bson, Document};

/// The `details` of `doc` failing `validator`.
pub(super) fn details(validator: &Document, doc: &Document, vars: &Vars) -> Document {
    document_details(validator, doc, vars)
}

/// A filter document's details: one clause, or the failing clauses of its implicit `$and`.
fn document_details(filter: &Document, doc: &Document, vars: &Vars) -> Document {
    let clauses: Vec<(&String, &Bson)> = filter.iter().filter(|(k, _)| *k != "$comment").collect();
    if clauses.len() == 1 {
        let (k, v) = clauses[0];
        return clause_details(k, v, doc, vars);
    }
    let mut failing = Vec::new();
    for (i, (k, v)) in clauses.iter().enumerate() {
        if !satisfied(&doc! {k.as_str(): (*v).clone()}, doc, vars) {
            failing.push(Bson::Document(
                doc! {"index": i as i32, "details": clause_details(k, v, doc, vars)},
            ));
        }
    }
    doc! {"operatorName": "$and", "clausesNotSatisfied": failing}
}

fn satisfied(filter: &Document, doc: &Document, vars: &Vars) -> bool {
    Matcher::compile(filter)
        .and_then(|m| m.matches(doc, vars))
        .unwrap_or(true)
}

fn clause_details(key: &str, value: &Bson, doc: &Document, vars: &Vars) -> Document {
    match (key, value) {
        ("$jsonSchema", Bson::Document(schema)) => doc! {
            "operatorName": "$jsonSchema",
            "schemaRulesNotSatisfied": schema_rules(schema, &Bson::Document(doc.clone())),
        },
        ("$and" | "$or" | "$nor", Bson::Array(items)) => {
            let nor = key == "$nor";
            let mut listed = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let Bson::Document(clause) = item else {
                    continue;
                };
                if satisfied(clause, doc, vars) == nor {
                    listed.push(Bson::Document(
                        doc! {"index": i as i32, "details": document_details(clause, doc, vars)},
                    ));
                }
            }
            let list = if nor {
                "clausesSatisfied"
            } else {
                "clausesNotSatisfied"
            };
            doc! {"operatorName": key, list: listed}
        }
        ("$expr", _) => doc! {
            "operatorName": "$expr",
            "specifiedAs": {"$expr": value.clone()},
            "reason": "expression did not match",
            "expressionResult": false,
        },
        (field, Bson::Document(ops)) if ops.keys().next().is_some_and(|k| k.starts_with('$')) => {
            if ops.len() == 1 {
                let (op, arg) = ops.iter().next().expect("one operator");
                return operator_details(field, op, arg, doc);
            }
            let mut failing = Vec::new();
            for (i, (op, arg)) in ops.iter().enumerate() {
                if !satisfied(&doc! {field: {op: arg.clone()}}, doc, vars) {
                    failing.push(Bson::Document(
                        doc! {"index": i as i32, "details": operator_details(field, op, arg, doc)},
                    ));
                }
            }
            doc! {"operatorName": "$and", "clausesNotSatisfied": failing}
        }
        (field, _) => {
            let mut d = operator_details(field, "$eq", value, doc);
            d.insert("specifiedAs", doc! {field: value.clone()});
            d
        }
    }
}

/// One field operator that `doc` does not satisfy.
fn operator_details(field: &str, op: &str, arg: &Bson, doc: &Document) -> Document {
    let considered = crate::engine::path::get(doc, field).cloned();
    let mut d = doc! {"operatorName": op, "specifiedAs": {field: {op: arg.clone()}}};
    let Some(v) = considered else {
        let reason = match op {
            "$exists" => "path does not exist",
            _ => "field was missing",
        };
        d.insert("reason", reason);
        return d;
    };
    let reason = match op {
        "$eq" | "$ne" | "$gt" | "$gte" | "$lt" | "$lte" => "comparison failed",
        "$in" => "no matching value found in array",
        "$nin" => "matching value found in array",
        "$type" => "type did not match",
        "$regex" => "regular expression did not match",
        "$exists" => "path does exist",
        "$size" => "array length was not equal to given size",
        "$mod" => "$mod did not evaluate to expected remainder",
        "$all" => "array did not contain all specified values",
        "$elemMatch" => "array did not satisfy the child predicate",
        "$not" => "child expression matched",
        _ => "operator did not match",
    };
    d.insert("reason", reason);
    let t = type_name(&v);
    d.insert("consideredValue", v);
    if op == "$type" {
        d.insert("consideredType", t);
    }
    d
}

/// Whether `value` satisfies a schema made of `spec` alone.
fn accepts(spec: Document, value: &Bson) -> bool {
    Schema::compile(&spec).map_or(true, |s| s.accepts(value))
}

/// The rules of `schema` that `value` does not satisfy, each as mongod describes it.
fn schema_rules(schema: &Document, value: &Bson) -> Vec<Bson> {
    let mut out = Vec::new();
    let obj = value.as_document();
    for (kw, spec) in schema {
        let one = || doc! {kw.as_str(): spec.clone()};
        let mut rule = doc! {"operatorName": kw.as_str()};
        match kw.as_str() {
            "required" => {
                let (Some(d), Bson::Array(names)) = (obj, spec) else {
                    continue;
                };
                let mut missing: Vec<&str> = names
                    .iter()
                    .filter_map(|n| n.as_str())
                    .filter(|n| !d.contains_key(*n))
                    .collect();
                if missing.is_empty() {
                    continue;
                }
                missing.sort_unstable();
                rule.insert("specifiedAs", one());
                rule.insert("missingProperties", missing);
            }
            "properties" => {
                let (Some(d), Bson::Document(props)) = (obj, spec) else {
                    continue;
                };
                let mut failing = Vec::new();
                for (name, sub) in props {
                    let (Some(v), Bson::Document(sub)) = (d.get(name), sub) else {
                        continue;
                    };
                    if accepts(sub.clone(), v) {
                        continue;
                    }
                    let mut p = doc! {"propertyName": name.as_str()};
                    if let Ok(desc) = sub.get_str("description") {
                        p.insert("description", desc);
                    }
                    p.insert("details", schema_rules(sub, v));
                    failing.push(Bson::Document(p));
                }
                if failing.is_empty() {
                    continue;
                }
                rule.insert("propertiesNotSatisfied", failing);
            }
            "bsonType" | "type" => {
                if accepts(one(), value) {
                    continue;
                }
                rule.insert("specifiedAs", one());
                rule.insert("reason", "type did not match");
                rule.insert("consideredValue", value.clone());
                rule.insert("consideredType", type_name(value));
            }
            "minimum" | "maximum" => {
                let exclusive = if kw == "minimum" {
                    "exclusiveMinimum"
                } else {
                    "exclusiveMaximum"
                };
                let mut spec_doc = one();
                if let Some(e) = schema.get(exclusive) {
                    spec_doc.insert(exclusive, e.clone());
                }
                if accepts(spec_doc.clone(), value) {
                    continue;
                }
                rule.insert("specifiedAs", spec_doc);
                rule.insert("reason", "comparison failed");
                rule.insert("consideredValue", value.clone());
            }
            "minLength" | "maxLength" | "pattern" | "enum" | "minItems" | "maxItems"
            | "uniqueItems" => {
                if accepts(one(), value) {
                    continue;
                }
                let reason = match kw.as_str() {
                    "minLength" | "maxLength" => "specified string length was not satisfied",
                    "pattern" => "regular expression did not match",
                    "enum" => "value was not found in enum",
                    "uniqueItems" => "found a duplicate item",
                    _ => "array did not match specified length",
                };
                rule.insert("specifiedAs", one());
                rule.insert("reason", reason);
                rule.insert("consideredValue", value.clone());
            }
            "minProperties" | "maxProperties" => {
                let Some(d) = obj else { continue };
                if accepts(one(), value) {
                    continue;
                }
                rule.insert("specifiedAs", one());
                rule.insert("reason", "specified number of properties was not satisfied");
                rule.insert("numberOfProperties", d.len() as i32);
            }
            "additionalProperties" => {
                let Some(d) = obj else { continue };
                let mut full = one();
                for k in ["properties", "patternProperties"] {
                    if let Some(p) = schema.get(k) {
                        full.insert(k, p.clone());
                    }
                }
                if accepts(full, value) {
                    continue;
                }
                rule.insert("specifiedAs", one());
                if let Bson::Boolean(false) = spec {
                    let listed = schema.get_document("properties").ok();
                    let extra: Vec<&str> = d
                        .keys()
                        .map(|k| k.as_str())
                        .filter(|k| !listed.is_some_and(|p| p.contains_key(*k)))
                        .collect();
                    rule.insert("additionalProperties", extra);
                } else if let Bson::Document(sub) = spec {
                    let listed = schema.get_document("properties").ok();
                    let details: Vec<Bson> = d
                        .iter()
                        .filter(|(k, _)| !listed.is_some_and(|p| p.contains_key(*k)))
                        .flat_map(|(_, v)| schema_rules(sub, v))
                        .collect();
                    rule.insert("details", details);
                }
            }
            "items" => {
                let (Bson::Array(items), Bson::Document(sub)) = (value, spec) else {
                    continue;
                };
                let Some(i) = items.iter().position(|it| !accepts(sub.clone(), it)) else {
                    continue;
                };
                rule.insert("reason", "At least one item did not match the sub-schema");
                rule.insert("itemIndex", i as i32);
                rule.insert("details", schema_rules(sub, &items[i]));
            }
            "allOf" | "anyOf" | "oneOf" => {
                if accepts(one(), value) {
                    continue;
                }
                let Bson::Array(subs) = spec else { continue };
                let failing: Vec<Bson> = subs
                    .iter()
                    .enumerate()
                    .filter_map(|(i, s)| {
                        let sub = s.as_document()?;
                        (!accepts(sub.clone(), value)).then(|| {
                            Bson::Document(
                                doc! {"index": i as i32, "details": schema_rules(sub, value)},
                            )
                        })
                    })
                    .collect();
                if kw == "oneOf" && failing.len() < subs.len() {
                    rule.insert("reason", "more than one subschema matched");
                } else {
                    rule.insert("schemasNotSatisfied", failing);
                }
            }
            "not" => {
                if accepts(one(), value) {
                    continue;
                }
                rule.insert("reason", "child expression matched");
            }
            _ => continue,
        }
        out.push(Bson::Document(rule));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        Vars::new(bson::DateTime::now())
    }

    #[test]
    fn json_schema_rules_name_what_failed() {
        let validator = doc! {"$jsonSchema": {
            "bsonType": "object",
            "required": ["name", "major", "gpa"],
            "properties": {
                "name": {"bsonType": "string"},
                "gpa": {"bsonType": ["double"], "description": "'gpa' must be a double if the field exists"},
                "year": {"bsonType": "int", "minimum": 2017},
            },
        }};
        let d = details(
            &validator,
            &doc! {"_id": 1, "name": "Alice", "gpa": 3, "year": 2016},
            &vars(),
        );
        assert_eq!(
            d,
            doc! {"operatorName": "$jsonSchema", "schemaRulesNotSatisfied": [
                {"operatorName": "required", "specifiedAs": {"required": ["name", "major", "gpa"]}, "missingProperties": ["major"]},
                {"operatorName": "properties", "propertiesNotSatisfied": [
                    {"propertyName": "gpa", "description": "'gpa' must be a double if the field exists", "details": [
                        {"operatorName": "bsonType", "specifiedAs": {"bsonType": ["double"]}, "reason": "type did not match", "consideredValue": 3, "consideredType": "int"},
                    ]},
                    {"propertyName": "year", "details": [
                        {"operatorName": "minimum", "specifiedAs": {"minimum": 2017}, "reason": "comparison failed", "consideredValue": 2016},
                    ]},
                ]},
            ]}
        );
    }

    #[test]
    fn query_operator_validators_name_their_failing_clauses() {
        let validator = doc! {"$or": [
            {"phone": {"$type": "string"}},
            {"email": {"$regex": "@mongodb\\.com$"}},
            {"status": {"$in": ["Unknown", "Incomplete"]}},
        ]};
        let d = details(
            &validator,
            &doc! {"_id": 1, "phone": 375, "email": "a@xyz.com", "status": "Active"},
            &vars(),
        );
        assert_eq!(d.get_str("operatorName").unwrap(), "$or");
        let clauses = d.get_array("clausesNotSatisfied").unwrap();
        assert_eq!(clauses.len(), 3);
        let first = clauses[0]
            .as_document()
            .unwrap()
            .get_document("details")
            .unwrap();
        assert_eq!(
            first,
            &doc! {"operatorName": "$type", "specifiedAs": {"phone": {"$type": "string"}}, "reason": "type did not match", "consideredValue": 375, "consideredType": "int"}
        );
        // Two top-level fields: an implicit $and listing only the failing one.
        let d = details(
            &doc! {"a": {"$gt": 5}, "b": {"$exists": true}},
            &doc! {"_id": 1, "a": 9},
            &vars(),
        );
        assert_eq!(
            d,
            doc! {"operatorName": "$and", "clausesNotSatisfied": [
                {"index": 1, "details": {"operatorName": "$exists", "specifiedAs": {"b": {"$exists": true}}, "reason": "path does not exist"}},
            ]}
        );
    }
}
