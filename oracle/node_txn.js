#!/usr/bin/env node
// Transactions through `sqlmongo serve --repl-set rs0` with the official Node.js driver.
//
//   node oracle/node_txn.js 'mongodb://127.0.0.1:PORT/?replicaSet=rs0'
//
// withTransaction commits both writes; an aborted transaction leaves nothing; a second writer of one
// document gets WriteConflict (112) with the TransientTransactionError label. Expectations are MongoDB's
// documented behaviour; exits non-zero on the first mismatch.
'use strict';

const assert = require('node:assert/strict');
const { MongoClient } = require('mongodb');

async function main() {
  const client = new MongoClient(process.argv[2], { serverSelectionTimeoutMS: 5000 });
  let checks = 0;
  const check = (fn) => {
    fn();
    checks += 1;
  };
  await client.connect();
  const hello = await client.db('admin').command({ hello: 1 });
  check(() => assert.equal(hello.setName, 'rs0'));
  const db = client.db('nodetxn');
  await db.dropDatabase();
  const accounts = db.collection('accounts');
  await accounts.insertMany([
    { _id: 'a', balance: 100 },
    { _id: 'b', balance: 0 },
  ]);

  const session = client.startSession();
  await session.withTransaction(async () => {
    await accounts.updateOne({ _id: 'a' }, { $inc: { balance: -40 } }, { session });
    await accounts.updateOne({ _id: 'b' }, { $inc: { balance: 40 } }, { session });
  });
  await session.endSession();
  const b = await accounts.findOne({ _id: 'b' });
  check(() => assert.equal(b.balance, 40));

  const s2 = client.startSession();
  s2.startTransaction();
  await accounts.insertOne({ _id: 'c', balance: 1 }, { session: s2 });
  const outside = await accounts.findOne({ _id: 'c' });
  check(() => assert.equal(outside, null));
  await s2.abortTransaction();
  await s2.endSession();
  const count = await accounts.countDocuments({});
  check(() => assert.equal(count, 2));

  const x = client.startSession();
  const y = client.startSession();
  x.startTransaction();
  y.startTransaction();
  await accounts.updateOne({ _id: 'a' }, { $inc: { balance: 1 } }, { session: x });
  let conflict = null;
  try {
    await accounts.updateOne({ _id: 'a' }, { $inc: { balance: 1 } }, { session: y });
  } catch (e) {
    conflict = e;
  }
  check(() => assert.ok(conflict, 'second writer conflicts'));
  check(() => assert.equal(conflict.code, 112));
  check(() => assert.ok(conflict.hasErrorLabel('TransientTransactionError')));
  await x.commitTransaction();
  await y.abortTransaction().catch(() => {});
  await x.endSession();
  await y.endSession();
  const a = await accounts.findOne({ _id: 'a' });
  check(() => assert.equal(a.balance, 61));
  await client.close();
  console.log(`${checks} checks passed`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
