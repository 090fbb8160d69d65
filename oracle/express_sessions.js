#!/usr/bin/env node
// A real Express app with express-session and connect-mongo (the MongoDB session store of the seeds' Express
// material) against `sqlmongo serve`, driven by real HTTP requests (node's fetch, cookies carried by hand).
//
//   node oracle/express_sessions.js 'mongodb://127.0.0.1:PORT/express_app?directConnection=true'
//
// The server must run its TTL monitor every second (`serve --ttl-monitor-sleep-secs 1`). Checks: connect-mongo's
// TTL index ({expires: 1}, expireAfterSeconds 0); a session saved by a login, read back by the next request;
// touched on an unmodified request (rolling cookie: `expires` slides forward, as connect-mongo's touch() sets it);
// modified and saved; destroyed by a logout (the document is gone, the old cookie gets a fresh anonymous
// response); expired (cookie maxAge 1.5 s): refused by the store at once and deleted by the server's TTL
// monitor; the default stringify store (session as a JSON string) saves and reads too. It leaves sessions of
// known users and roles behind and prints them as one JSON line `STATE {...}` for the analytics SQL the Rust
// test (tests/express_sessions.rs) runs on them. Exits non-zero on the first mismatch.
'use strict';

const assert = require('node:assert/strict');
const express = require('express');
const session = require('express-session');
const { MongoStore } = require('connect-mongo');
const { MongoClient } = require('mongodb');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A client with a cookie jar of one site.
class Browser {
  constructor(base) {
    this.base = base;
    this.cookies = new Map();
  }
  async request(method, path) {
    const headers = {};
    if (this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    const res = await fetch(this.base + path, { method, headers, redirect: 'manual' });
    this.lastSetCookie = res.headers.getSetCookie();
    for (const c of this.lastSetCookie) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    const text = await res.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: res.status, body };
  }
  // The session id the signed cookie carries (`s:SID.SIGNATURE`).
  sid(name = 'sid') {
    const v = decodeURIComponent(this.cookies.get(name) || '');
    assert.ok(v.startsWith('s:'), `no signed session cookie: ${v}`);
    return v.slice(2, v.lastIndexOf('.'));
  }
}

function app(store, name) {
  const a = express();
  a.use(
    session({
      name,
      store,
      secret: 'sqlmongo-express-test',
      resave: false,
      saveUninitialized: false,
      rolling: true, // every response renews the cookie: an unmodified session is touched in the store
      cookie: { httpOnly: true, maxAge: 60 * 60 * 1000 },
    }),
  );
  a.post('/login', (req, res) => {
    req.session.userId = req.query.user;
    req.session.userRole = req.query.role || 'user';
    req.session.views = 0;
    if (req.query.ttl_ms) req.session.cookie.maxAge = Number(req.query.ttl_ms);
    res.json({ ok: true });
  });
  a.get('/me', (req, res) => {
    if (!req.session.userId) return res.status(401).json({ anonymous: true });
    req.session.views += 1;
    res.json({ userId: req.session.userId, role: req.session.userRole, views: req.session.views });
  });
  a.get('/peek', (req, res) => {
    // Reads without modifying: express-session calls the store's touch().
    if (!req.session.userId) return res.status(401).json({ anonymous: true });
    res.json({ userId: req.session.userId, views: req.session.views });
  });
  a.post('/logout', (req, res, next) => {
    req.session.destroy((err) => (err ? next(err) : res.json({ ok: true })));
  });
  return a;
}

function listen(a) {
  return new Promise((resolve) => {
    const server = a.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function waitFor(what, fn, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

async function main() {
  const uri = process.argv[2];
  assert.ok(uri, 'usage: express_sessions.js MONGODB_URI');
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  const db = client.db();
  await db.dropDatabase();
  let checks = 0;
  const check = (fn) => {
    fn();
    checks += 1;
  };

  // The seeds' store: session kept as an object (stringify: false), expiry by the native TTL index.
  const store = MongoStore.create({ client, collectionName: 'sessions', autoRemove: 'native', stringify: false });
  const server = await listen(app(store, 'sid'));
  const base = `http://127.0.0.1:${server.address().port}`;
  const sessions = db.collection('sessions');

  // Saved: a login creates the session document (upsert by _id = session id).
  const alice = new Browser(base);
  check(() => assert.equal(alice.cookies.size, 0));
  let r = await alice.request('POST', '/login?user=alice&role=admin');
  check(() => assert.equal(r.status, 200));
  const aliceSid = alice.sid();
  // connect-mongo created its TTL index on first use.
  const indexes = await sessions.listIndexes().toArray();
  const ttl = indexes.find((i) => i.key && i.key.expires === 1);
  check(() => assert.ok(ttl, `no TTL index on expires: ${JSON.stringify(indexes)}`));
  check(() => assert.equal(ttl.expireAfterSeconds, 0));
  let doc = await sessions.findOne({ _id: aliceSid });
  check(() => assert.ok(doc, 'session document saved'));
  check(() => assert.equal(doc.session.userId, 'alice'));
  check(() => assert.equal(doc.session.userRole, 'admin'));
  check(() => assert.ok(doc.expires instanceof Date));
  check(() => assert.ok(Math.abs(doc.expires - Date.now() - 3600e3) < 10e3, `expires ${doc.expires}`));

  // Read back and modified: the next request sees the session, and its change is saved.
  r = await alice.request('GET', '/me');
  check(() => assert.deepEqual(r.body, { userId: 'alice', role: 'admin', views: 1 }));
  r = await alice.request('GET', '/me');
  check(() => assert.equal(r.body.views, 2));
  doc = await sessions.findOne({ _id: aliceSid });
  check(() => assert.equal(doc.session.views, 2));

  // Touched: an unmodified request slides `expires` forward (rolling cookie, store.touch).
  const before = doc.expires.getTime();
  await sleep(1100);
  r = await alice.request('GET', '/peek');
  check(() => assert.deepEqual(r.body, { userId: 'alice', views: 2 }));
  check(() => assert.equal(alice.lastSetCookie.length, 1, 'rolling: the cookie is renewed'));
  doc = await sessions.findOne({ _id: aliceSid });
  check(() => assert.ok(doc.expires.getTime() >= before + 1000, `expires ${before} -> ${doc.expires.getTime()}`));
  check(() => assert.equal(doc.session.views, 2, 'touch changes only expires'));

  // Other users: sessions the analytics SQL will read.
  const users = [
    ['bob', 'user', 2 * 3600e3],
    ['carol', 'admin', 30 * 60e3],
    ['dave', 'user', 45 * 60e3],
    ['erin', 'user', 3 * 3600e3],
  ];
  const browsers = {};
  for (const [user, role, ttlMs] of users) {
    const b = new Browser(base);
    r = await b.request('POST', `/login?user=${user}&role=${role}&ttl_ms=${ttlMs}`);
    check(() => assert.equal(r.status, 200));
    browsers[user] = b;
  }
  r = await browsers.bob.request('GET', '/me');
  check(() => assert.equal(r.body.views, 1));

  // Destroyed: a logout deletes the document; the old cookie is then anonymous.
  const daveSid = browsers.dave.sid();
  r = await browsers.dave.request('POST', '/logout');
  check(() => assert.equal(r.status, 200));
  const daveDoc = await sessions.findOne({ _id: daveSid });
  check(() => assert.equal(daveDoc, null, 'destroyed session deleted'));
  r = await browsers.dave.request('GET', '/me');
  check(() => assert.equal(r.status, 401));

  // Expired: a 1.5 s session is refused by the store once past `expires` (connect-mongo's get filters on
  // it), and the server's TTL monitor deletes the document.
  const mallory = new Browser(base);
  r = await mallory.request('POST', '/login?user=mallory&role=user&ttl_ms=1500');
  const mallorySid = mallory.sid();
  const malloryDoc = await sessions.findOne({ _id: mallorySid });
  check(() => assert.ok(malloryDoc, 'short session saved'));
  r = await mallory.request('GET', '/me');
  check(() => assert.equal(r.status, 200));
  await sleep(1700);
  r = await mallory.request('GET', '/me');
  check(() => assert.equal(r.status, 401, 'an expired session is not served'));
  await waitFor('the TTL monitor to delete the expired session', async () => (await sessions.countDocuments({ _id: mallorySid })) === 0, 15000);
  checks += 1;
  const status = await client.db('admin').command({ serverStatus: 1 });
  check(() => assert.ok(status.metrics.ttl.deletedDocuments >= 1, JSON.stringify(status.metrics)));

  // The default store (session stored as a JSON string) saves and reads the same way.
  const strStore = MongoStore.create({ client, collectionName: 'sessions_str' });
  const server2 = await listen(app(strStore, 'sid2'));
  const frank = new Browser(`http://127.0.0.1:${server2.address().port}`);
  await frank.request('POST', '/login?user=frank&role=user');
  r = await frank.request('GET', '/me');
  check(() => assert.deepEqual(r.body, { userId: 'frank', role: 'user', views: 1 }));
  const frankDoc = await db.collection('sessions_str').findOne({ _id: frank.sid('sid2') });
  check(() => assert.equal(typeof frankDoc.session, 'string'));
  check(() => assert.equal(JSON.parse(frankDoc.session).views, 1));

  // What the analytics SQL should find.
  const all = await sessions.find({}).sort({ _id: 1 }).toArray();
  const state = {
    sessions: all.map((d) => ({
      id: d._id,
      userId: d.session.userId,
      role: d.session.userRole,
      views: d.session.views,
      expires: d.expires.toISOString(),
    })),
  };
  console.log(`STATE ${JSON.stringify(state)}`);

  await new Promise((res) => server.close(res));
  await new Promise((res) => server2.close(res));
  await client.close();
  console.log(`express-session + connect-mongo: ${checks} checks passed`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
