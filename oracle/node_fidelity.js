#!/usr/bin/env node
// Issue 16's command validation, hints, error details and `$`-field rules through `sqlmongo serve`, with the
// official Node.js driver (the pymongo counterpart is oracle/pymongo_fidelity.py).
//
//   node oracle/node_fidelity.js 'mongodb://127.0.0.1:PORT/?directConnection=true'
//
// Each expectation is MongoDB 7.0's documented behaviour (codes and messages of mongod's IDL parsers, the
// explain output's queryPlanner, the errInfo of document validation, keyPattern / keyValue of 11000).
// Exits non-zero on the first mismatch.
'use strict';

const assert = require('node:assert/strict');
const { MongoClient } = require('mongodb');

async function refused(db, cmd) {
  try {
    await db.command(cmd);
  } catch (e) {
    return [e.code, e.errmsg ?? e.message];
  }
  throw new Error(`${JSON.stringify(cmd)} was accepted`);
}

async function main() {
  const client = new MongoClient(process.argv[2], { serverSelectionTimeoutMS: 5000 });
  let checks = 0;
  const check = (fn) => {
    fn();
    checks += 1;
  };
  await client.connect();
  const db = client.db('nodefidelity');
  await db.dropDatabase();

  // Wrongly typed and unknown fields.
  const t = db.collection('t');
  await t.insertMany([{ _id: 1, a: 1 }, { _id: 2, a: 2 }]);
  const numbers = "expected types '[long, int, decimal, double']";
  for (const [cmd, code, msg] of [
    [{ find: 't', limit: 'x' }, 14, `BSON field 'FindCommandRequest.limit' is the wrong type 'string', ${numbers}`],
    [{ find: 't', sort: 1 }, 14, 'Expected field sortto be of type object'],
    [{ find: 't', bogusField: 1 }, 40415, "BSON field 'FindCommandRequest.bogusField' is an unknown field."],
    [{ update: 't', updates: [{ q: {}, u: { $set: { a: 0 } }, sort: { a: 1 } }] }, 40415,
      "BSON field 'update.updates.sort' is an unknown field."],
    [{ delete: 't', deletes: [{ q: {}, limit: 2 }] }, 9, 'The limit field in delete objects must be 0 or 1. Got 2'],
    [{ aggregate: 't', pipeline: [], cursor: 1 }, 14,
      "BSON field 'aggregate.cursor' is the wrong type 'int', expected type 'object'"],
  ]) {
    const got = await refused(db, cmd);
    check(() => assert.deepEqual(got, [code, msg], JSON.stringify(cmd)));
  }
  const zeroed = await t.countDocuments({ a: 0 });
  check(() => assert.equal(zeroed, 0));

  // Hints: followed, shown by explain, an unknown one refused.
  const h = db.collection('h');
  await h.insertMany([{ _id: 1, a: 3, tag: 'x' }, { _id: 2, a: 1 }, { _id: 3, a: 2, tag: 'y' }]);
  await h.createIndex({ a: 1 }, { name: 'a_1' });
  await h.createIndex({ tag: 1 }, { name: 'tag_sparse', sparse: true });
  const byIndex = (await h.find({}).hint('a_1').toArray()).map((d) => d._id);
  check(() => assert.deepEqual(byIndex, [2, 3, 1]));
  const sparse = (await h.find({}).hint('tag_sparse').toArray()).map((d) => d._id);
  check(() => assert.deepEqual(sparse, [1, 3]));
  const plan = (await h.find({ tag: 'x' }).hint('a_1').explain()).queryPlanner.winningPlan;
  check(() => assert.equal(plan.inputStage.stage, 'IXSCAN'));
  check(() => assert.equal(plan.inputStage.indexName, 'a_1'));
  try {
    await h.find({}).hint('nope').toArray();
    throw new Error('an unknown hint was accepted');
  } catch (e) {
    check(() => assert.equal(e.code, 2));
    check(() => assert.match(e.message, /hint provided does not correspond to an existing index/));
  }

  // Error details: DuplicateKey's keyPattern / keyValue, validation's errInfo.
  const u = db.collection('u');
  await u.createIndex({ email: 1 }, { unique: true });
  await u.insertOne({ _id: 1, email: 'a@x' });
  try {
    await u.insertOne({ _id: 2, email: 'a@x' });
    throw new Error('a duplicate key was inserted');
  } catch (e) {
    check(() => assert.equal(e.code, 11000));
    check(() => assert.deepEqual(e.keyPattern, { email: 1 }));
    check(() => assert.deepEqual(e.keyValue, { email: 'a@x' }));
  }
  await db.createCollection('students', {
    validator: {
      $jsonSchema: {
        bsonType: 'object',
        required: ['name', 'year'],
        properties: { name: { bsonType: 'string' }, year: { bsonType: 'int', minimum: 2017 } },
      },
    },
  });
  try {
    await db.collection('students').insertOne({ _id: 7, name: 'Eve' });
    throw new Error('an invalid document was inserted');
  } catch (e) {
    check(() => assert.equal(e.code, 121));
    check(() => assert.equal(e.errInfo.failingDocumentId, 7));
    check(() => assert.equal(e.errInfo.details.operatorName, '$jsonSchema'));
    check(() =>
      assert.deepEqual(e.errInfo.details.schemaRulesNotSatisfied, [
        { operatorName: 'required', specifiedAs: { required: ['name', 'year'] }, missingProperties: ['year'] },
      ]),
    );
  }

  // `$`-prefixed and dotted field names (5.0+), an `_id` holding one refused, updates refusing them.
  const d = db.collection('d');
  await db.command({ insert: 'd', documents: [{ _id: 1, $price: 5, 'a.b': 1 }] });
  const stored = await d.findOne({ _id: 1 });
  check(() => assert.deepEqual(stored, { _id: 1, $price: 5, 'a.b': 1 }));
  try {
    await d.updateOne({ _id: 1 }, { $set: { $price: 6 } });
    throw new Error('$set of a $-prefixed field was accepted');
  } catch (e) {
    check(() => assert.equal(e.code, 52));
  }
  const r = await db.command({ insert: 'd', documents: [{ _id: { $a: 1 } }] });
  check(() => assert.equal(r.writeErrors[0].code, 52));

  // A pipeline update that replaces the root keeps `_id`; the command-level `let` is seen by $expr.
  await d.updateOne({ _id: 1 }, [{ $replaceRoot: { newRoot: { x: 1 } } }, { $addFields: { foo: 1 } }]);
  const replaced = await d.findOne({ _id: 1 });
  check(() => assert.deepEqual(replaced, { _id: 1, x: 1, foo: 1 }));
  const viaLet = await d.find({ $expr: { $eq: ['$_id', '$$id'] } }, { let: { id: 1 } }).toArray();
  check(() => assert.equal(viaLet.length, 1));

  // $listLocalSessions lists the session of a plain find (mongod's session cache learns every lsid).
  const s = client.startSession();
  await d.find({}, { session: s }).toArray();
  const listed = await client.db('admin').aggregate([{ $listLocalSessions: {} }]).toArray();
  const sid = s.id.id.toString('hex');
  check(() => assert.ok(listed.some((x) => x._id.id.toString('hex') === sid), JSON.stringify(listed)));
  const all = await client.db('admin').aggregate([{ $listLocalSessions: { allUsers: true } }]).toArray();
  check(() => assert.ok(all.some((x) => x._id.id.toString('hex') === sid)));
  await s.endSession();

  await client.close();
  console.log(`node driver: ${checks} checks passed`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
