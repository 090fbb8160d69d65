//! The session table: the sessions the engine has seen (by `lsid.id`), their reaping, ending and killing,
//! and the document locks of open transactions.

use super::poisoned;
use super::{
    session_id, DocKey, Phase, Session, SessionState, Sessions, Txn, SESSION_TIMEOUT,
    TRANSACTION_LIFETIME,
};
use crate::engine::CommandError;
use bson::{doc, Bson, Document};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

impl Sessions {
    pub(super) fn get_or_create(&self, lsid: &Document) -> Result<Arc<Session>, CommandError> {
        let mut map = self.map.lock().map_err(|_| poisoned())?;
        let id = session_id(lsid);
        Ok(Arc::clone(map.entry(id).or_insert_with(|| {
            Arc::new(Session {
                lsid: lsid.clone(),
                state: Mutex::new(SessionState {
                    last_use: Instant::now(),
                    txn_number: -1,
                    phase: Phase::None,
                    retry: None,
                    user: None,
                }),
            })
        })))
    }

    /// Registers the session `lsid` names, or marks it used now (any command that carries an `lsid`, as
    /// mongod's session cache does), with the user it runs as. A session busy with a command is left as it
    /// is (that command marks it). An `lsid` without a binary `id` is ignored.
    pub(crate) fn touch(&self, lsid: &Document, user: Option<(&str, &str)>) {
        if !matches!(lsid.get("id"), Some(Bson::Binary(_))) {
            return;
        }
        let Ok(s) = self.get_or_create(lsid) else {
            return;
        };
        if let Ok(mut st) = s.state.try_lock() {
            st.last_use = Instant::now();
            if let Some((name, db)) = user {
                if st.user.as_ref().is_none_or(|(n, d)| n != name || d != db) {
                    st.user = Some((name.to_string(), db.to_string()));
                }
            }
        };
    }

    /// The sessions known now (`$listLocalSessions`), as `{_id: lsid, lastUse}` (and `user: {name:
    /// "name@db"}` for a user's), those of `users` only when given; forgets those unused past the session
    /// timeout.
    pub(crate) fn list_for(&self, users: Option<&[(String, String)]>) -> Vec<Document> {
        let mut all = self.list_with_users();
        if let Some(users) = users {
            all.retain(|(_, u)| u.as_ref().is_some_and(|u| users.contains(u)));
        }
        all.into_iter().map(|(d, _)| d).collect()
    }

    /// The sessions known now (`$listLocalSessions: {allUsers: true}`): see [`list_for`](Self::list_for).
    pub(crate) fn list(&self) -> Vec<Document> {
        self.list_for(None)
    }

    fn list_with_users(&self) -> Vec<(Document, Option<(String, String)>)> {
        self.reap();
        let map = match self.map.lock() {
            Ok(m) => m,
            Err(_) => return Vec::new(),
        };
        let mut out: Vec<(Document, Option<(String, String)>)> = map
            .values()
            .map(|s| {
                let mut d = doc! {"_id": s.lsid.clone()};
                let mut user = None;
                if let Ok(st) = s.state.try_lock() {
                    let ago = st.last_use.elapsed();
                    let now = bson::DateTime::now().timestamp_millis();
                    d.insert(
                        "lastUse",
                        bson::DateTime::from_millis(now - ago.as_millis() as i64),
                    );
                    if let Some((name, db)) = &st.user {
                        d.insert("user", doc! {"name": format!("{name}@{db}")});
                    }
                    user = st.user.clone();
                }
                (d, user)
            })
            .collect();
        out.sort_by(|a, b| format!("{:?}", a.0.get("_id")).cmp(&format!("{:?}", b.0.get("_id"))));
        out
    }

    /// Forgets sessions unused past the timeout, and aborts transactions open past their lifetime (the TTL
    /// monitor's thread calls it each pass, and the sessions' commands at most once a second).
    pub(crate) fn reap(&self) {
        if let Ok(mut last) = self.last_reap.lock() {
            *last = Some(Instant::now());
        }
        let sessions: Vec<(Vec<u8>, Arc<Session>)> = match self.map.lock() {
            Ok(m) => m.iter().map(|(k, v)| (k.clone(), Arc::clone(v))).collect(),
            Err(_) => return,
        };
        for (id, s) in sessions {
            let Ok(mut st) = s.state.try_lock() else {
                continue;
            };
            if st.last_use.elapsed() > SESSION_TIMEOUT {
                self.end_locked(&id, &mut st);
                if let Ok(mut m) = self.map.lock() {
                    m.remove(&id);
                }
            } else if matches!(&st.phase, Phase::InProgress(t) if t.started.elapsed() > TRANSACTION_LIFETIME)
            {
                self.abort_locked(&id, &mut st);
            }
        }
    }

    /// Aborts the session's open transaction, if any.
    pub(super) fn abort_locked(&self, id: &[u8], st: &mut SessionState) {
        if let Phase::InProgress(txn) = std::mem::replace(&mut st.phase, Phase::Aborted) {
            self.release(id, &txn);
        }
    }

    pub(super) fn end_locked(&self, id: &[u8], st: &mut SessionState) {
        if matches!(st.phase, Phase::InProgress(_)) {
            self.abort_locked(id, st);
        }
    }

    /// Drops the document locks of `txn`.
    pub(super) fn release(&self, id: &[u8], txn: &Txn) {
        if let Ok(mut locks) = self.locks.lock() {
            for (k, _) in &txn.keys {
                if locks.get(k).is_some_and(|owner| owner == id) {
                    locks.remove(k);
                }
            }
        }
    }

    /// Ends (`endSessions`) or kills (`killSessions`) the sessions listed: their transactions are aborted
    /// and they are forgotten. An empty `killSessions` list kills every session.
    pub(super) fn end(&self, list: &[Bson], all_if_empty: bool) -> Result<(), CommandError> {
        let ids: Vec<Vec<u8>> = if list.is_empty() && all_if_empty {
            self.map
                .lock()
                .map_err(|_| poisoned())?
                .keys()
                .cloned()
                .collect()
        } else {
            list.iter()
                .map(|b| match b {
                    Bson::Document(d) => Ok(session_id(d)),
                    _ => Err(CommandError::type_mismatch(
                        "BSON field 'endSessions' must be an array of session ids",
                    )),
                })
                .collect::<Result<_, _>>()?
        };
        for id in ids {
            let removed = self.map.lock().map_err(|_| poisoned())?.remove(&id);
            if let Some(s) = removed {
                let mut st = s.state.lock().map_err(|_| poisoned())?;
                self.end_locked(&id, &mut st);
            }
        }
        Ok(())
    }
}

/// Aborts every open transaction of the engine's sessions (tests, shutdown).
#[allow(dead_code)]
pub(crate) fn abort_all(sessions: &Sessions) {
    let all: Vec<(Vec<u8>, Arc<Session>)> = match sessions.map.lock() {
        Ok(m) => m.iter().map(|(k, v)| (k.clone(), Arc::clone(v))).collect(),
        Err(_) => return,
    };
    for (id, s) in all {
        if let Ok(mut st) = s.state.lock() {
            sessions.abort_locked(&id, &mut st);
        }
    }
}

/// The lock guard type of the session table, for `commit.rs`.
pub(crate) type Locks<'a> = MutexGuard<'a, HashMap<DocKey, Vec<u8>>>;

impl Sessions {
    pub(crate) fn locks(&self) -> Result<Locks<'_>, CommandError> {
        self.locks.lock().map_err(|_| poisoned())
    }
}
