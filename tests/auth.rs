//! `sqlmongo serve` security end to end: SCRAM-SHA-256 authentication, roles, users as documents in
//! `admin.system.users`, TLS with client certificates, the localhost exception, speculative authentication
//! in `hello`, and the refusal to listen on a non-loopback address without `--auth`.
//!
//! Clients: the official Rust driver (the `mongodb` crate, SCRAM and rustls of its own), raw OP_MSG for
//! the `hello` fields, and pymongo (`oracle/pymongo_auth.py`: TLS + SCRAM-SHA-256, codes 13 / 18 / 11 /
//! 51003, roles; skipped loudly without pymongo, a failure with `SQLMONGO_REQUIRE_ORACLES=1`). Certificates
//! are made at test time (rcgen): nothing committed expires.

mod common;

use bson::{doc, Bson, Document};
use mongodb::options::{ClientOptions, Credential, Tls, TlsOptions};
use sqlmongo::engine::{Engine, EngineOptions};
use sqlmongo::server::auth::users;
use sqlmongo::server::{Security, Server, TlsFiles, TlsMode};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::oneshot;

/// PBKDF2 iterations for the users the Rust tests create: RFC 7677's minimum, so that the debug-built
/// driver's own PBKDF2 stays quick (the pymongo test uses mongod's default, 15,000).
const TEST_ITERATIONS: u32 = 4096;

/// Test certificates: a CA, a server certificate for 127.0.0.1 / localhost, a client certificate.
struct Certs {
    dir: PathBuf,
}

impl Certs {
    fn new(name: &str) -> Certs {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
        let dir = std::env::temp_dir().join(format!(
            "sqlmongo-auth-{name}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "sqlmongo test CA");
        let ca_cert = ca_params.self_signed(&ca_key).expect("CA cert");
        let issuer = Issuer::new(ca_params, ca_key);
        let leaf = |names: Vec<String>, file: &str| {
            let key = KeyPair::generate().expect("key");
            let params = CertificateParams::new(names).expect("params");
            let cert = params.signed_by(&key, &issuer).expect("sign");
            std::fs::write(
                dir.join(file),
                format!("{}{}", cert.pem(), key.serialize_pem()),
            )
            .expect("write pem");
        };
        leaf(
            vec!["localhost".to_string(), "127.0.0.1".to_string()],
            "server.pem",
        );
        leaf(vec!["client".to_string()], "client.pem");
        std::fs::write(dir.join("ca.pem"), ca_cert.pem()).expect("write CA");
        Certs { dir }
    }

    fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    fn tls(&self, mode: TlsMode, require_client_cert: bool) -> sqlmongo::server::Tls {
        sqlmongo::server::Tls::from_files(
            &TlsFiles {
                certificate_key_file: self.path("server.pem"),
                key_file: None,
                ca_file: Some(self.path("ca.pem")),
                allow_without_certificates: !require_client_cert,
            },
            mode,
        )
        .expect("TLS settings")
    }
}

impl Drop for Certs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

struct Running {
    addr: SocketAddr,
    engine: Engine,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    async fn shutdown(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        let r = tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("server stops");
        r.expect("server task").expect("server result");
    }
}

async fn start(auth: bool, tls: Option<sqlmongo::server::Tls>) -> Running {
    let engine = Engine::with_options(EngineOptions {
        ttl_monitor_interval: None,
        ..EngineOptions::default()
    });
    let mut server = Server::bind("127.0.0.1:0", engine.clone())
        .await
        .expect("bind")
        .with_security(Security::new(auth).with_iterations(TEST_ITERATIONS));
    if let Some(t) = tls {
        server = server.with_tls(t);
    }
    let addr = server.local_addr().expect("addr");
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(server.serve_until(async {
        let _ = rx.await;
    }));
    Running {
        addr,
        engine,
        stop: Some(tx),
        task,
    }
}

fn create(engine: &Engine, db: &str, user: &str, pwd: &str, roles: Bson) {
    let session_less = doc! {"createUser": user, "pwd": pwd, "roles": roles};
    users::create_user(engine, db, &session_less, TEST_ITERATIONS).expect("createUser");
}

/// A Rust-driver client; `user`: `(name, password, authSource)`.
async fn driver(
    addr: SocketAddr,
    user: Option<(&str, &str, &str)>,
    tls: Option<(&Certs, bool)>,
) -> mongodb::Client {
    let mut opts = ClientOptions::parse(format!("mongodb://{addr}/?directConnection=true"))
        .await
        .expect("options");
    opts.server_selection_timeout = Some(Duration::from_secs(3));
    if let Some((name, pwd, source)) = user {
        opts.credential = Some(
            Credential::builder()
                .username(name.to_string())
                .password(pwd.to_string())
                .source(source.to_string())
                .mechanism(mongodb::options::AuthMechanism::ScramSha256)
                .build(),
        );
    }
    if let Some((certs, with_client_cert)) = tls {
        let mut t = TlsOptions::builder()
            .ca_file_path(certs.path("ca.pem"))
            .build();
        if with_client_cert {
            t.cert_key_file_path = Some(certs.path("client.pem"));
        }
        opts.tls = Some(Tls::Enabled(t));
    }
    mongodb::Client::with_options(opts).expect("client")
}

/// The server's error code for a command (`None`: it succeeded; `Some(-1)`: not a server command error).
async fn code(c: &mongodb::Client, db: &str, cmd: Document) -> Option<i32> {
    match c.database(db).run_command(cmd).await {
        Ok(_) => None,
        Err(e) => match *e.kind {
            mongodb::error::ErrorKind::Command(ref ce) => Some(ce.code),
            mongodb::error::ErrorKind::Authentication { ref message, .. } => {
                if message.contains("Authentication failed") {
                    Some(18)
                } else {
                    panic!("authentication error: {message}")
                }
            }
            ref other => panic!("not a command error: {other:?}"),
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scram_sha_256_over_tls_with_client_certificates() {
    let certs = Certs::new("tls");
    let server = start(true, Some(certs.tls(TlsMode::Require, true))).await;
    create(
        &server.engine,
        "admin",
        "root",
        "r00t",
        Bson::Array(vec!["root".into()]),
    );
    let root = driver(
        server.addr,
        Some(("root", "r00t", "admin")),
        Some((&certs, true)),
    )
    .await;
    assert_eq!(
        code(
            &root,
            "app",
            doc! {"insert": "c", "documents": [{"_id": 1}]}
        )
        .await,
        None
    );
    let status = root
        .database("admin")
        .run_command(doc! {"connectionStatus": 1})
        .await
        .expect("connectionStatus");
    assert_eq!(
        status.get_document("authInfo").expect("authInfo"),
        &doc! {"authenticatedUsers": [{"user": "root", "db": "admin"}], "authenticatedUserRoles": [{"role": "root", "db": "admin"}]}
    );
    // Without credentials: served, but refused (13).
    let anon = driver(server.addr, None, Some((&certs, true))).await;
    assert_eq!(code(&anon, "admin", doc! {"ping": 1}).await, None);
    assert_eq!(code(&anon, "app", doc! {"find": "c"}).await, Some(13));
    // Wrong password: 18.
    let bad = driver(
        server.addr,
        Some(("root", "nope", "admin")),
        Some((&certs, true)),
    )
    .await;
    assert_eq!(code(&bad, "admin", doc! {"ping": 1}).await, Some(18));
    // No client certificate, or no TLS at all: never served.
    let nocert = driver(
        server.addr,
        Some(("root", "r00t", "admin")),
        Some((&certs, false)),
    )
    .await;
    assert!(nocert
        .database("admin")
        .run_command(doc! {"ping": 1})
        .await
        .is_err());
    let plain = driver(server.addr, Some(("root", "r00t", "admin")), None).await;
    assert!(plain
        .database("admin")
        .run_command(doc! {"ping": 1})
        .await
        .is_err());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allow_tls_serves_plain_and_tls_clients() {
    let certs = Certs::new("allow");
    let server = start(false, Some(certs.tls(TlsMode::Allow, false))).await;
    let tls = driver(server.addr, None, Some((&certs, false))).await;
    assert_eq!(
        code(&tls, "app", doc! {"insert": "c", "documents": [{"_id": 1}]}).await,
        None
    );
    let plain = driver(server.addr, None, None).await;
    assert_eq!(code(&plain, "app", doc! {"count": "c"}).await, None);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_decide_what_a_user_may_run() {
    let server = start(true, None).await;
    let e = &server.engine;
    create(e, "admin", "root", "pw", Bson::Array(vec!["root".into()]));
    create(e, "app", "reader", "pw", Bson::Array(vec!["read".into()]));
    create(
        e,
        "app",
        "writer",
        "pw",
        Bson::Array(vec!["readWrite".into()]),
    );
    create(e, "app", "dba", "pw", Bson::Array(vec!["dbAdmin".into()]));
    create(
        e,
        "admin",
        "anyreader",
        "pw",
        Bson::Array(vec![Bson::Document(
            doc! {"role": "readAnyDatabase", "db": "admin"},
        )]),
    );
    let reader = driver(server.addr, Some(("reader", "pw", "app")), None).await;
    let writer = driver(server.addr, Some(("writer", "pw", "app")), None).await;
    let dba = driver(server.addr, Some(("dba", "pw", "app")), None).await;
    let any = driver(server.addr, Some(("anyreader", "pw", "admin")), None).await;
    let insert = || doc! {"insert": "c", "documents": [{"x": 1}]};
    assert_eq!(code(&writer, "app", insert()).await, None);
    assert_eq!(code(&reader, "app", insert()).await, Some(13));
    assert_eq!(
        code(&reader, "app", doc! {"find": "c", "filter": {"x": 1}}).await,
        None
    );
    assert_eq!(code(&reader, "other", doc! {"find": "c"}).await, Some(13));
    assert_eq!(code(&dba, "app", doc! {"find": "c"}).await, Some(13));
    assert_eq!(
        code(
            &dba,
            "app",
            doc! {"createIndexes": "c", "indexes": [{"key": {"x": 1}, "name": "x_1"}]}
        )
        .await,
        None
    );
    assert_eq!(code(&dba, "app", doc! {"collMod": "c"}).await, None);
    assert_eq!(code(&writer, "app", doc! {"collMod": "c"}).await, Some(13));
    assert_eq!(code(&any, "other", doc! {"find": "c"}).await, None);
    assert_eq!(code(&any, "app", insert()).await, Some(13));
    // `$out` needs a write role: a reader is refused before the engine (which has no `$out` stage, 40324)
    // reads the pipeline.
    assert_eq!(
        code(
            &writer,
            "app",
            doc! {"aggregate": "c", "pipeline": [{"$out": "d"}], "cursor": {}}
        )
        .await,
        Some(40324)
    );
    assert_eq!(
        code(
            &reader,
            "app",
            doc! {"aggregate": "c", "pipeline": [{"$out": "d"}], "cursor": {}}
        )
        .await,
        Some(13)
    );
    // User administration and the users' collection need userAdmin / root.
    assert_eq!(
        code(
            &writer,
            "app",
            doc! {"createUser": "x", "pwd": "x", "roles": []}
        )
        .await,
        Some(13)
    );
    assert_eq!(
        code(&any, "admin", doc! {"find": "system.users"}).await,
        Some(13)
    );
    assert_eq!(
        code(
            &any,
            "admin",
            doc! {"aggregate": "other", "pipeline": [{"$unionWith": "system.users"}], "cursor": {}}
        )
        .await,
        Some(13),
        "no reading the users through another collection's pipeline"
    );
    // A user administrator of one database cannot hand out roles of another (no escalation to root).
    create(
        e,
        "app",
        "appadmin",
        "pw",
        Bson::Array(vec!["userAdmin".into()]),
    );
    let appadmin = driver(server.addr, Some(("appadmin", "pw", "app")), None).await;
    assert_eq!(
        code(
            &appadmin,
            "app",
            doc! {"createUser": "x", "pwd": "x", "roles": [{"role": "root", "db": "admin"}]}
        )
        .await,
        Some(13)
    );
    assert_eq!(
        code(&appadmin, "app", doc! {"grantRolesToUser": "appadmin", "roles": [{"role": "readWriteAnyDatabase", "db": "admin"}]}).await,
        Some(13)
    );
    assert_eq!(
        code(
            &appadmin,
            "app",
            doc! {"createUser": "x", "pwd": "x", "roles": ["dbOwner"]}
        )
        .await,
        None
    );
    let root = driver(server.addr, Some(("root", "pw", "admin")), None).await;
    let stored = root
        .database("admin")
        .collection::<Document>("system.users")
        .find_one(doc! {"_id": "app.reader"})
        .await
        .expect("find")
        .expect("the user document");
    let scram = stored
        .get_document("credentials")
        .and_then(|c| c.get_document("SCRAM-SHA-256"))
        .expect("SCRAM-SHA-256 credentials");
    let mut keys: Vec<&str> = scram.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["iterationCount", "salt", "serverKey", "storedKey"]);
    assert_eq!(
        stored.get_array("roles").expect("roles"),
        &vec![Bson::Document(doc! {"role": "read", "db": "app"})]
    );
    assert!(!stored.contains_key("pwd"));
    // The roles a user has are re-read after a change, on an open connection.
    assert_eq!(
        code(
            &root,
            "app",
            doc! {"grantRolesToUser": "reader", "roles": ["readWrite"]}
        )
        .await,
        None
    );
    assert_eq!(code(&reader, "app", insert()).await, None);
    assert_eq!(code(&root, "app", doc! {"dropUser": "reader"}).await, None);
    assert_eq!(code(&reader, "app", doc! {"find": "c"}).await, Some(13));
    assert_eq!(
        code(&root, "app", doc! {"dropUser": "reader"}).await,
        Some(11)
    );
    // Unknown commands need root: refused to others before the engine says it does not know them.
    assert_eq!(code(&writer, "app", doc! {"shutdown": 1}).await, Some(13));
    assert_eq!(
        code(&root, "app", doc! {"noSuchCommand": 1}).await,
        Some(59)
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_localhost_exception_creates_the_first_user_only() {
    let server = start(true, None).await;
    let anon = driver(server.addr, None, None).await;
    assert_eq!(
        code(
            &anon,
            "app",
            doc! {"createUser": "u", "pwd": "p", "roles": ["read"]}
        )
        .await,
        Some(13),
        "the first user goes to admin"
    );
    assert_eq!(
        code(
            &anon,
            "admin",
            doc! {"createUser": "root", "pwd": "p", "roles": ["root"]}
        )
        .await,
        None
    );
    assert_eq!(
        code(
            &anon,
            "admin",
            doc! {"createUser": "again", "pwd": "p", "roles": ["root"]}
        )
        .await,
        Some(13)
    );
    let root = driver(server.addr, Some(("root", "p", "admin")), None).await;
    assert_eq!(
        code(
            &root,
            "admin",
            doc! {"createUser": "root", "pwd": "p", "roles": ["root"]}
        )
        .await,
        Some(51003)
    );
    let info = root
        .database("admin")
        .run_command(doc! {"usersInfo": "root"})
        .await
        .expect("usersInfo");
    let users = info.get_array("users").expect("users");
    assert_eq!(users.len(), 1);
    let u = users[0].as_document().expect("user");
    assert_eq!(u.get_str("user").ok(), Some("root"));
    assert_eq!(
        u.get_array("mechanisms").expect("mechanisms"),
        &vec![Bson::from("SCRAM-SHA-256")]
    );
    assert!(!u.contains_key("credentials"));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_auth_nothing_is_refused_and_users_still_work() {
    let server = start(false, None).await;
    let anon = driver(server.addr, None, None).await;
    assert_eq!(
        code(&anon, "app", doc! {"insert": "c", "documents": [{}]}).await,
        None
    );
    assert_eq!(
        code(
            &anon,
            "app",
            doc! {"createUser": "u", "pwd": "p", "roles": ["read"]}
        )
        .await,
        None
    );
    let u = driver(server.addr, Some(("u", "p", "app")), None).await;
    assert_eq!(
        code(&u, "app", doc! {"insert": "c", "documents": [{}]}).await,
        None
    );
    let bad = driver(server.addr, Some(("u", "wrong", "app")), None).await;
    assert_eq!(code(&bad, "app", doc! {"ping": 1}).await, Some(18));
    server.shutdown().await;
}

// --- raw OP_MSG: hello's authentication fields ----------------------------------------------------------

async fn raw_command(s: &mut TcpStream, body: &Document) -> Document {
    let bytes = sqlmongo::server::wire::encode_op_msg(7, 0, 0, body).expect("encode");
    s.write_all(&bytes).await.expect("write");
    let msg = tokio::time::timeout(
        Duration::from_secs(10),
        sqlmongo::server::wire::read_message(s),
    )
    .await
    .expect("in time")
    .expect("parses")
    .expect("a reply");
    Document::from_reader(&msg.body[5..]).expect("reply document")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hello_names_mechanisms_and_starts_speculative_authentication() {
    let server = start(true, None).await;
    create(
        &server.engine,
        "admin",
        "root",
        "pw",
        Bson::Array(vec!["root".into()]),
    );
    let mut s = TcpStream::connect(server.addr).await.expect("connect");
    let payload = bson::Binary {
        subtype: bson::spec::BinarySubtype::Generic,
        bytes: b"n,,n=root,r=fyko+d2lbbFgONRv9qkxdawL".to_vec(),
    };
    let reply = raw_command(
        &mut s,
        &doc! {"hello": 1, "saslSupportedMechs": "admin.root", "$db": "admin",
        "speculativeAuthenticate": {"saslStart": 1, "mechanism": "SCRAM-SHA-256", "payload": payload.clone(), "db": "admin", "options": {"skipEmptyExchange": true}}},
    )
    .await;
    assert_eq!(
        reply.get_array("saslSupportedMechs").expect("mechs"),
        &vec![Bson::from("SCRAM-SHA-256")]
    );
    let spec = reply
        .get_document("speculativeAuthenticate")
        .expect("speculativeAuthenticate");
    assert_eq!(spec.get_bool("done").ok(), Some(false));
    let server_first = match spec.get("payload") {
        Some(Bson::Binary(b)) => String::from_utf8(b.bytes.clone()).expect("utf-8"),
        other => panic!("payload {other:?}"),
    };
    assert!(
        server_first.starts_with("r=fyko+d2lbbFgONRv9qkxdawL"),
        "{server_first}"
    );
    assert!(server_first.ends_with(",i=4096"), "{server_first}");
    // A bad proof for that conversation: 18; the conversation is then gone (17).
    let id = spec.get_i32("conversationId").expect("conversationId");
    let nonce = server_first.split(',').next().unwrap_or("").to_string();
    let bad = format!("c=biws,{nonce},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    let r = raw_command(
        &mut s,
        &doc! {"saslContinue": 1, "conversationId": id, "payload": bson::Binary { subtype: bson::spec::BinarySubtype::Generic, bytes: bad.into_bytes() }, "$db": "admin"},
    )
    .await;
    assert_eq!(r.get_i32("code").ok(), Some(18), "{r}");
    assert_eq!(r.get_str("errmsg").ok(), Some("Authentication failed."));
    let r = raw_command(
        &mut s,
        &doc! {"saslContinue": 1, "conversationId": id, "payload": "", "$db": "admin"},
    )
    .await;
    assert_eq!(r.get_i32("code").ok(), Some(17), "{r}");
    // An unknown user: no mechanisms and no speculative reply (the driver starts over and fails there).
    let payload = bson::Binary {
        subtype: bson::spec::BinarySubtype::Generic,
        bytes: b"n,,n=nobody,r=fyko+d2lbbFgONRv9qkxdawL".to_vec(),
    };
    let reply = raw_command(
        &mut s,
        &doc! {"hello": 1, "saslSupportedMechs": "admin.nobody", "$db": "admin",
        "speculativeAuthenticate": {"saslStart": 1, "mechanism": "SCRAM-SHA-256", "payload": payload, "db": "admin"}},
    )
    .await;
    assert!(!reply.contains_key("saslSupportedMechs"), "{reply}");
    assert!(!reply.contains_key("speculativeAuthenticate"), "{reply}");
    // Unauthenticated finds are refused on the byte path too.
    let r = raw_command(
        &mut s,
        &doc! {"find": "c", "filter": {"_id": 1}, "$db": "app"},
    )
    .await;
    assert_eq!(r.get_i32("code").ok(), Some(13), "{r}");
    assert_eq!(
        r.get_str("errmsg").ok(),
        Some("Command find requires authentication")
    );
    server.shutdown().await;
}

// --- the binary ------------------------------------------------------------------------------------------

#[test]
fn serve_refuses_a_non_loopback_address_without_auth() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sqlmongo"))
        .args(["serve", "--bind", "0.0.0.0", "--port", "0"])
        .output()
        .expect("run sqlmongo serve");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("refusing to listen on the non-loopback address 0.0.0.0:")
            && stderr.contains("--allow-insecure-remote"),
        "{stderr}"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sqlmongo"))
        .args(["serve", "--port", "0", "--tlsMode", "requireTLS"])
        .output()
        .expect("run sqlmongo serve");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("needs --tlsCertificateKeyFile"),
        "{out:?}"
    );
}

/// The binary with `--auth` and the root user from the environment: the driver authenticates as it, SQL
/// runs through sqlmongo's own `Client` with the credentials in the URI, and an anonymous client is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_binary_with_auth_and_a_root_user_from_the_environment() {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sqlmongo"))
        .args(["serve", "--auth", "--port", "0"])
        .env("SQLMONGO_ROOT_USERNAME", "admin_user")
        .env("SQLMONGO_ROOT_PASSWORD", "s3cret pass")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn sqlmongo serve");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let mut log = Vec::new();
    let addr = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("no 'listening on' line ({e}): {log:?}"));
        if let Some(rest) = line.split("listening on ").nth(1) {
            break rest.split_whitespace().next().unwrap_or("").to_string();
        }
        log.push(line);
    };
    assert!(
        log.iter()
            .any(|l| l.contains("created the root user 'admin_user'")),
        "{log:?}"
    );
    let c = sqlmongo::Client::connect(
        &format!(
            "mongodb://admin_user:s3cret%20pass@{addr}/?directConnection=true&authSource=admin"
        ),
        "app",
    )
    .await
    .expect("connect with credentials");
    c.execute("INSERT INTO t (k) VALUES (1), (2)", &[])
        .await
        .expect("insert as root");
    assert_eq!(
        c.query("SELECT COUNT(*) AS n FROM t", &[])
            .await
            .expect("count")
            .rows,
        vec![vec![Bson::Int32(2)]]
    );
    let anon =
        sqlmongo::Client::connect(&format!("mongodb://{addr}/?directConnection=true"), "app")
            .await
            .expect("connect anonymously");
    match anon.query("SELECT COUNT(*) AS n FROM t", &[]).await {
        Err(sqlmongo::Error::Command(e)) => assert_eq!(e.code, 13, "{e:?}"),
        other => panic!("expected 13 Unauthorized, got {other:?}"),
    }
    let _ = child.kill();
    let _ = child.wait();
}

// --- pymongo ---------------------------------------------------------------------------------------------

fn python_with_pymongo() -> Option<String> {
    ["python3", "/usr/bin/python3"].into_iter().find_map(|py| {
        std::process::Command::new(py)
            .args(["-c", "import pymongo"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|_| py.to_string())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pymongo_authenticates_with_scram_sha_256_over_tls() {
    let Some(py) = python_with_pymongo() else {
        let code = common::oracle_unavailable(
            "pymongo auth client",
            "no python3 with pymongo (scripts/test.sh installs python3-pymongo)",
        );
        assert_eq!(code, 0, "pymongo is required");
        return;
    };
    let certs = Certs::new("pymongo");
    // mongod's default iteration count here: pymongo's PBKDF2 is C.
    let engine = Engine::with_options(EngineOptions {
        ttl_monitor_interval: None,
        ..EngineOptions::default()
    });
    let server = Server::bind("127.0.0.1:0", engine)
        .await
        .expect("bind")
        .with_security(Security::new(true))
        .with_tls(certs.tls(TlsMode::Require, true));
    let addr = server.local_addr().expect("addr");
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(server.serve_until(async {
        let _ = rx.await;
    }));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/oracle/pymongo_auth.py");
    let args: Vec<String> = vec![
        script.to_string(),
        addr.to_string(),
        path_str(&certs.path("ca.pem")),
        path_str(&certs.path("client.pem")),
    ];
    let out =
        tokio::task::spawn_blocking(move || std::process::Command::new(py).args(args).output())
            .await
            .expect("join")
            .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "pymongo auth client failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("checks passed"), "{stdout}");
    eprintln!("{}", stdout.trim());
    let _ = tx.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn node_driver_authenticates_with_scram_sha_256_over_tls() {
    let oracle = concat!(env!("CARGO_MANIFEST_DIR"), "/oracle");
    let have_node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_node || !Path::new(oracle).join("node_modules/mongodb").is_dir() {
        let code = common::oracle_unavailable(
            "Node mongodb driver auth client",
            "node or oracle/node_modules/mongodb missing (scripts/test.sh runs npm ci in oracle/)",
        );
        assert_eq!(code, 0, "the Node driver is required");
        return;
    }
    let certs = Certs::new("node");
    let server = start(true, Some(certs.tls(TlsMode::Require, true))).await;
    create(
        &server.engine,
        "admin",
        "root",
        "r00t-pw",
        Bson::Array(vec!["root".into()]),
    );
    let args: Vec<String> = vec![
        format!("{oracle}/node_auth.js"),
        server.addr.to_string(),
        path_str(&certs.path("ca.pem")),
        path_str(&certs.path("client.pem")),
    ];
    let out =
        tokio::task::spawn_blocking(move || std::process::Command::new("node").args(args).output())
            .await
            .expect("join")
            .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "node auth client failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("checks passed"), "{stdout}");
    eprintln!("{}", stdout.trim());
    server.shutdown().await;
}
