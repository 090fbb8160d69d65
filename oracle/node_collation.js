#!/usr/bin/env node
// Collation through the wire with the official Node.js driver against `sqlmongo serve`.
//
//   node oracle/node_collation.js mongodb://127.0.0.1:PORT/?directConnection=true
//
// Per-operation collations on find / countDocuments / deleteMany and a collection's default collation, with
// expectations from the MongoDB manual's collation page. Exits non-zero on the first mismatch.
'use strict';

const assert = require('node:assert/strict');
const { MongoClient } = require('mongodb');

async function main() {
  const client = new MongoClient(process.argv[2], { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  const db = client.db('collation_node');
  await db.dropDatabase();
  let checks = 0;
  const ci = { locale: 'en', strength: 2 };
  const c = db.collection('pings');
  await c.insertMany([{ _id: 1, x: 'ping' }, { _id: 2, x: 'PING' }, { _id: 3, x: 'pong' }]);
  const found = await c.find({ x: 'PING' }, { collation: ci }).sort({ _id: 1 }).toArray();
  assert.deepEqual(found.map((d) => d._id), [1, 2]);
  checks += 1;
  assert.equal(await c.countDocuments({ x: 'Ping' }, { collation: ci }), 2);
  checks += 1;
  const sorted = await c.find({}, { collation: { locale: 'en', caseFirst: 'upper' } }).sort({ x: 1 }).toArray();
  assert.deepEqual(sorted.map((d) => d.x), ['PING', 'ping', 'pong']);
  checks += 1;
  const del = await c.deleteMany({ x: 'PING' }, { collation: ci });
  assert.equal(del.deletedCount, 2);
  checks += 1;
  const d = await db.createCollection('names', { collation: ci });
  await d.insertMany([{ n: 'Zoë' }, { n: 'zoë' }]);
  assert.equal(await d.countDocuments({ n: 'ZOË' }), 2);
  checks += 1;
  await assert.rejects(c.find({}, { collation: { locale: 'en', strength: 0 } }).toArray(), (e) => e.code === 9);
  checks += 1;
  // backwards (French secondary ordering from the end of the word) on any locale, off on fr_CA.
  const f = db.collection('french');
  await f.insertMany(['côté', 'coté', 'cote', 'côte'].map((w, i) => ({ _id: i, w })));
  const words = async (collation) => (await f.find({}, { collation }).sort({ w: 1 }).toArray()).map((x) => x.w);
  assert.deepEqual(await words({ locale: 'en', backwards: true }), ['cote', 'côte', 'coté', 'côté']);
  checks += 1;
  assert.deepEqual(await words({ locale: 'fr_CA', backwards: false }), ['cote', 'coté', 'côte', 'côté']);
  checks += 1;
  // The collation listCollections echoes is taken back verbatim.
  const [info] = await db.listCollections({ name: 'names' }).toArray();
  const echoed = info.options.collation;
  assert.equal(echoed.normalization, false);
  const copy = await db.createCollection('names_copy', { collation: echoed });
  await copy.insertOne({ n: 'Zoë' });
  assert.equal(await copy.countDocuments({ n: 'zoË' }, { collation: echoed }), 1);
  checks += 1;
  await db.dropDatabase();
  await client.close();
  console.log(`node mongodb driver: ${checks} collation checks passed`);
}

main().catch((e) => {
  console.error('FAILED:', e);
  process.exit(1);
});
