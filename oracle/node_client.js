#!/usr/bin/env node
// A real MongoDB client (the official Node.js driver) against `sqlmongo serve`.
//
//   node oracle/node_client.js mongodb://127.0.0.1:PORT/?directConnection=true
//
// Handshake, inserts, find with filter + sort + projection, $group / $lookup aggregations, update operators
// and upserts, findOneAndUpdate, a TTL index, error codes, and a 1,000-document cursor paged 100 at a time
// (getMore counted by command monitoring). Expectations are MongoDB's documented behaviour; exits non-zero on
// the first mismatch.
'use strict';

const assert = require('node:assert/strict');
const { MongoClient, ReturnDocument } = require('mongodb');

async function main() {
  const uri = process.argv[2] || 'mongodb://127.0.0.1:27017/?directConnection=true';
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000, monitorCommands: true });
  const counts = {};
  client.on('commandStarted', (e) => {
    counts[e.commandName] = (counts[e.commandName] || 0) + 1;
  });
  let checks = 0;
  const check = (fn) => {
    fn();
    checks += 1;
  };
  await client.connect();
  const hello = await client.db('admin').command({ hello: 1 });
  check(() => assert.equal(hello.isWritablePrimary, true));
  check(() => assert.equal(hello.maxWireVersion, 21));

  const db = client.db('nodeclient');
  await db.dropDatabase();
  const sessions = db.collection('sessions');
  const users = db.collection('users');
  await users.insertMany([
    { _id: 'u1', plan: 'pro' },
    { _id: 'u2', plan: 'free' },
  ]);
  const r = await sessions.insertMany([
    { _id: 's1', user: 'u1', hits: 5 },
    { _id: 's2', user: 'u1', hits: 2 },
    { _id: 's3', user: 'u2', hits: 9 },
    { _id: 's4', user: 'u2' },
  ]);
  check(() => assert.equal(r.insertedCount, 4));
  await assert.rejects(sessions.insertOne({ _id: 's1' }), (e) => e.code === 11000);
  checks += 1;

  const found = await sessions.find({ hits: { $gte: 2 } }, { projection: { hits: 1 } }).sort({ hits: -1 }).toArray();
  check(() => assert.deepEqual(found, [
    { _id: 's3', hits: 9 },
    { _id: 's1', hits: 5 },
    { _id: 's2', hits: 2 },
  ]));
  const n = await sessions.countDocuments({ user: 'u1' });
  check(() => assert.equal(n, 2));

  const grouped = await sessions
    .aggregate([{ $group: { _id: '$user', n: { $sum: 1 }, hits: { $sum: '$hits' } } }, { $sort: { _id: 1 } }])
    .toArray();
  check(() => assert.deepEqual(grouped, [
    { _id: 'u1', n: 2, hits: 7 },
    { _id: 'u2', n: 2, hits: 9 },
  ]));
  const joined = await users
    .aggregate([
      { $lookup: { from: 'sessions', localField: '_id', foreignField: 'user', as: 's' } },
      { $project: { n: { $size: '$s' } } },
      { $sort: { _id: 1 } },
    ])
    .toArray();
  check(() => assert.deepEqual(joined, [{ _id: 'u1', n: 2 }, { _id: 'u2', n: 2 }]));

  const u = await sessions.updateOne({ _id: 's1' }, { $inc: { hits: 1 }, $set: { seen: true } });
  check(() => assert.deepEqual([u.matchedCount, u.modifiedCount], [1, 1]));
  const up = await sessions.updateOne({ _id: 's9' }, { $set: { user: 'u9' } }, { upsert: true });
  check(() => assert.equal(up.upsertedId, 's9'));
  const after = await sessions.findOneAndUpdate({ _id: 's2' }, { $inc: { hits: 10 } }, { returnDocument: ReturnDocument.AFTER });
  check(() => assert.equal(after.hits, 12));
  const del = await sessions.deleteMany({ user: 'u2' });
  check(() => assert.equal(del.deletedCount, 2));

  const idx = await sessions.createIndex({ expires_at: 1 }, { expireAfterSeconds: 3600 });
  check(() => assert.equal(idx, 'expires_at_1'));
  const indexes = await sessions.listIndexes().toArray();
  const ttl = indexes.find((i) => i.name === 'expires_at_1');
  check(() => assert.equal(ttl.expireAfterSeconds, 3600));

  const big = db.collection('big');
  await big.insertMany(Array.from({ length: 1000 }, (_, i) => ({ _id: i, v: i % 7 })));
  const before = counts.getMore || 0;
  const ids = (await big.find({}, { batchSize: 100 }).sort({ _id: 1 }).toArray()).map((d) => d._id);
  check(() => assert.deepEqual(ids, Array.from({ length: 1000 }, (_, i) => i)));
  const more = (counts.getMore || 0) - before;
  check(() => assert.ok(more >= 9 && more <= 10, `getMore count ${more}`));

  await big.aggregate([{ $match: { v: 1 } }, { $project: { v: 1 } }, { $out: 'ones' }]).toArray();
  const ones = await db.collection('ones').countDocuments();
  check(() => assert.equal(ones, 143));
  await big
    .aggregate([{ $match: { v: 2 } }, { $project: { v: 1 } }, { $merge: { into: 'ones', whenNotMatched: 'insert' } }])
    .toArray();
  const merged = await db.collection('ones').countDocuments();
  check(() => assert.equal(merged, 286));
  await assert.rejects(
    big.aggregate([{ $merge: { into: 'ones', whenNotMatched: 'fail' } }]).toArray(),
    (e) => e.code === 13113,
  );
  checks += 1;

  await assert.rejects(db.command({ noSuchCommand: 1 }), (e) => e.code === 59);
  checks += 1;
  await client.close();
  console.log(`node mongodb driver: ${checks} checks passed`);
}

main().catch((e) => {
  console.error('FAILED:', e);
  process.exit(1);
});
