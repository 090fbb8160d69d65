#!/usr/bin/env node
// Times the analytics pipeline of benches/engine.rs in mingo over the same generated session documents.
// Usage: node oracle/bench_mingo.js [N=100000]
"use strict";
const mingo = require("mingo");

function session(i) {
  const base = 1795000000000;
  return {
    _id: `sess-${String(i).padStart(8, "0")}`,
    user_id: `user-${i % 5000}`,
    created_at: new Date(base + (i % 86400) * 1000),
    expires_at: new Date(base + 3600000 + (i % 7200) * 1000),
    active: i % 3 !== 0,
    login_method: ["password", "sso", "magic_link"][i % 3],
    risk_score: (i % 100) / 100,
    page_views: i % 50,
    data_transferred: (i * 7919) % 10000000,
    ip_address: `10.${i % 256}.${Math.floor(i / 256) % 256}.${i % 7}`,
    tags: ["web", i % 2 === 0 ? "mfa" : "basic"],
    session_data: { theme: i % 2 === 0 ? "dark" : "light", cart: { items: i % 5, total: (i % 1000) * 1.25 }, blob: "x".repeat(600) },
  };
}

const n = Number(process.argv[2] || 100000);
const docs = Array.from({ length: n }, (_, i) => session(i));
const pipeline = [
  { $match: { active: true, risk_score: { $gte: 0.2 } } },
  { $group: { _id: "$login_method", sessions: { $sum: 1 }, views: { $sum: "$page_views" }, avg_risk: { $avg: "$risk_score" }, max_data: { $max: "$data_transferred" } } },
  { $sort: { sessions: -1 } },
];
const runs = [];
for (let r = 0; r < 7; r++) {
  const t0 = process.hrtime.bigint();
  const out = mingo.aggregate(docs, pipeline);
  const t1 = process.hrtime.bigint();
  if (r === 0) console.error(JSON.stringify(out));
  runs.push(Number(t1 - t0) / 1e6);
}
runs.sort((a, b) => a - b);
console.log(`mingo match_group_sort_pipeline over ${n} docs: median ${runs[3].toFixed(1)} ms (min ${runs[0].toFixed(1)} ms)`);
