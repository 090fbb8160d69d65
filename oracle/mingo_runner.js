#!/usr/bin/env node
// Differential oracle runner: executes MongoDB find / aggregate / update cases in mingo.
//
// Input (stdin): one JSON case per line, in relaxed or canonical Extended JSON:
//   {"id": "...", "kind": "find", "docs": [...], "filter": {...}, "projection": {...},
//    "sort": {...}, "skip": n, "limit": n}
//   {"id": "...", "kind": "aggregate", "docs": [...], "pipeline": [...], "collections": {"name": [...]}}
//   {"id": "...", "kind": "update", "docs": [...], "filter": {...}, "update": {...} | [...], "multi": bool}
// Output (stdout): one JSON line per case, in the same order:
//   {"id": "...", "ok": true, "result": [...]}            (find / aggregate: the result documents)
//   {"id": "...", "ok": true, "result": [...], "n": m}    (update: the collection afterwards, matched count)
//   {"id": "...", "ok": false, "error": "message"}        (mingo threw)
// Values are written back in relaxed Extended JSON: dates as {"$date": "ISO"}, non-finite doubles as
// {"$numberDouble": "NaN"|"Infinity"|"-Infinity"}, regular expressions as {"$regularExpression": ...}.
"use strict";

const readline = require("readline");
const mingo = require("mingo");

// Extended JSON (relaxed or canonical) -> plain JS values with Date / RegExp.
function fromEjson(v) {
  if (Array.isArray(v)) return v.map(fromEjson);
  if (v === null || typeof v !== "object") return v;
  const keys = Object.keys(v);
  if (keys.length === 1) {
    const k = keys[0];
    const x = v[k];
    if (k === "$date") {
      if (typeof x === "string") return new Date(x);
      if (typeof x === "number") return new Date(x);
      if (x && typeof x === "object" && "$numberLong" in x) return new Date(Number(x.$numberLong));
    }
    if (k === "$numberInt" || k === "$numberLong" || k === "$numberDecimal") return Number(x);
    if (k === "$numberDouble") return Number(x);
    if (k === "$oid") return x;
    if (k === "$regularExpression" && x && typeof x === "object") return new RegExp(x.pattern, x.options || "");
  }
  const out = {};
  for (const k of keys) out[k] = fromEjson(v[k]);
  return out;
}

// Plain JS values -> relaxed Extended JSON.
function toEjson(v) {
  if (v === undefined) return null;
  if (v === null) return null;
  if (v instanceof Date) {
    const t = v.getTime();
    return Number.isNaN(t) ? { $date: { $numberLong: "0" } } : { $date: v.toISOString() };
  }
  if (v instanceof RegExp) return { $regularExpression: { pattern: v.source, options: v.flags } };
  if (typeof v === "number") {
    if (Number.isNaN(v)) return { $numberDouble: "NaN" };
    if (v === Infinity) return { $numberDouble: "Infinity" };
    if (v === -Infinity) return { $numberDouble: "-Infinity" };
    return v;
  }
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(toEjson);
  if (typeof v === "object") {
    const out = {};
    for (const k of Object.keys(v)) {
      if (v[k] === undefined) continue; // a field set to undefined is absent, as in BSON
      out[k] = toEjson(v[k]);
    }
    return out;
  }
  return v;
}

function runCase(c) {
  const docs = fromEjson(c.docs || []);
  const collections = {};
  for (const [name, cdocs] of Object.entries(c.collections || {})) collections[name] = fromEjson(cdocs);
  const options = {
    collectionResolver: (name) => collections[name] || [],
    // mingo's default is to fail on errors; keep it so that an error is compared, not hidden.
    failOnError: true,
  };
  switch (c.kind) {
    case "find": {
      let cursor = mingo.find(docs, fromEjson(c.filter || {}), c.projection ? fromEjson(c.projection) : undefined, options);
      if (c.sort) cursor = cursor.sort(fromEjson(c.sort));
      if (c.skip) cursor = cursor.skip(c.skip);
      if (c.limit) cursor = cursor.limit(c.limit);
      return { result: cursor.all() };
    }
    case "aggregate":
      return { result: mingo.aggregate(docs, fromEjson(c.pipeline || []), options) };
    case "update": {
      const fn = c.multi ? mingo.updateMany : mingo.updateOne;
      const r = fn(docs, fromEjson(c.filter || {}), fromEjson(c.update), {}, options);
      return { result: docs, n: r.matchedCount, nModified: r.modifiedCount };
    }
    default:
      throw new Error(`unknown case kind: ${c.kind}`);
  }
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
const out = [];
rl.on("line", (line) => {
  if (!line.trim()) return;
  let c;
  try {
    c = JSON.parse(line);
  } catch (e) {
    out.push(JSON.stringify({ id: null, ok: false, error: `bad case JSON: ${e.message}` }));
    return;
  }
  try {
    const r = runCase(c);
    const reply = { id: c.id, ok: true, result: toEjson(r.result) };
    if (r.n !== undefined) reply.n = r.n;
    if (r.nModified !== undefined) reply.nModified = r.nModified;
    out.push(JSON.stringify(reply));
  } catch (e) {
    out.push(JSON.stringify({ id: c.id, ok: false, error: String((e && e.message) || e) }));
  }
});
rl.on("close", () => {
  process.stdout.write(out.join("\n") + (out.length ? "\n" : ""));
});
