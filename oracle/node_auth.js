#!/usr/bin/env node
// The official Node.js driver against `sqlmongo serve --auth` over TLS: SCRAM-SHA-256 (negotiated and named),
// codes 13 / 18, a read-only user refused a write.
//
//   node oracle/node_auth.js HOST:PORT CA.pem CLIENT.pem
//
// The server must require authentication, serve TLS with a certificate for HOST issued by CA.pem and require
// client certificates from that CA, and have the user root / r00t-pw (role root on admin). Exits non-zero on
// the first mismatch.
'use strict';

const assert = require('node:assert/strict');
const { MongoClient } = require('mongodb');

async function main() {
  const [hostport, ca, clientPem] = process.argv.slice(2);
  const tls = `tls=true&tlsCAFile=${encodeURIComponent(ca)}&tlsCertificateKeyFile=${encodeURIComponent(clientPem)}`;
  const uri = (cred, extra = '') =>
    `mongodb://${cred}${hostport}/?directConnection=true&serverSelectionTimeoutMS=5000&${tls}${extra}`;
  let checks = 0;
  const check = (fn) => {
    fn();
    checks += 1;
  };
  const rejectsWith = async (promise, code) => {
    await assert.rejects(promise, (e) => e.code === code || (console.error(e), false));
    checks += 1;
  };

  const anon = new MongoClient(uri(''));
  await anon.connect();
  const ping = await anon.db('admin').command({ ping: 1 });
  check(() => assert.equal(ping.ok, 1));
  await rejectsWith(anon.db('app').collection('c').findOne({}), 13);

  // No mechanism named: the driver negotiates SCRAM-SHA-256 from hello's saslSupportedMechs.
  const root = new MongoClient(uri('root:r00t-pw@'));
  await root.connect();
  const status = await root.db('admin').command({ connectionStatus: 1 });
  check(() => assert.deepEqual(status.authInfo.authenticatedUsers, [{ user: 'root', db: 'admin' }]));
  await root.db('app').command({ createUser: 'reader', pwd: 'read-pw', roles: ['read'] });
  await root.db('app').collection('c').insertOne({ _id: 1, v: 'x' });

  const named = new MongoClient(uri('reader:read-pw@', '&authSource=app&authMechanism=SCRAM-SHA-256'));
  await named.connect();
  const doc = await named.db('app').collection('c').findOne({ _id: 1 });
  check(() => assert.deepEqual(doc, { _id: 1, v: 'x' }));
  await rejectsWith(named.db('app').collection('c').insertOne({ _id: 2 }), 13);

  const bad = new MongoClient(uri('root:wrong@'));
  await rejectsWith(bad.connect(), 18);

  for (const c of [anon, root, named, bad]) await c.close();
  console.log(`node mongodb driver (auth over TLS): ${checks} checks passed`);
}

main().catch((e) => {
  console.error('FAILED:', e);
  process.exit(1);
});
