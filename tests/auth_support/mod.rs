//! Shared by `tests/auth.rs` and `tests/auth_clients.rs`: test certificates made at test time (rcgen), a
//! server with or without `--auth` / TLS on an ephemeral loopback port, users created on its engine, and
//! Rust-driver clients.
#![allow(dead_code)] // each suite uses a different part

use bson::{doc, Bson, Document};
use mongodb::options::{ClientOptions, Credential, Tls, TlsOptions};
use sqlmongo::engine::{Engine, EngineOptions};
use sqlmongo::server::auth::users;
use sqlmongo::server::{Security, Server, TlsFiles, TlsMode};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::oneshot;

/// PBKDF2 iterations for the users the Rust tests create: RFC 7677's minimum, so that the debug-built
/// driver's own PBKDF2 stays quick (the pymongo test uses mongod's default, 15,000).
pub const TEST_ITERATIONS: u32 = 4096;

/// Test certificates: a CA, a server certificate for 127.0.0.1 / localhost, a client certificate.
pub struct Certs {
    pub dir: PathBuf,
}

impl Certs {
    pub fn new(name: &str) -> Certs {
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

    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    pub fn tls(&self, mode: TlsMode, require_client_cert: bool) -> sqlmongo::server::Tls {
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

pub struct Running {
    pub addr: SocketAddr,
    pub engine: Engine,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    pub async fn shutdown(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        let r = tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("server stops");
        r.expect("server task").expect("server result");
    }
}

pub async fn start(auth: bool, tls: Option<sqlmongo::server::Tls>) -> Running {
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

pub fn create(engine: &Engine, db: &str, user: &str, pwd: &str, roles: Bson) {
    let session_less = doc! {"createUser": user, "pwd": pwd, "roles": roles};
    users::create_user(engine, db, &session_less, TEST_ITERATIONS).expect("createUser");
}

/// A Rust-driver client; `user`: `(name, password, authSource)`.
pub async fn driver(
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
pub async fn code(c: &mongodb::Client, db: &str, cmd: Document) -> Option<i32> {
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

pub fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}
