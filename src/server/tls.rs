//! TLS for `sqlmongo serve` with rustls, configured as mongod is: a PEM file holding the server's certificate
//! chain and its private key (`--tlsCertificateKeyFile`), optionally a CA file (`--tlsCAFile`) that client
//! certificates must chain to, and a mode (`--tlsMode`): `requireTLS` (the default once a certificate is
//! given) accepts TLS connections only; `preferTLS` / `allowTLS` also accept plain ones (told apart by the
//! first byte, a TLS handshake record's 0x16).

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// How long a client has to complete the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// The first byte of a TLS handshake record.
const TLS_HANDSHAKE_RECORD: u8 = 0x16;

/// mongod's `--tlsMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// No TLS.
    Disabled,
    /// Plain and TLS connections (mongod's `allowTLS`).
    Allow,
    /// Plain and TLS connections (mongod's `preferTLS`; the server makes no outgoing connections, so the
    /// same as `allowTLS` here).
    Prefer,
    /// TLS connections only.
    Require,
}

impl std::str::FromStr for TlsMode {
    type Err = String;
    fn from_str(s: &str) -> Result<TlsMode, String> {
        match s {
            "disabled" => Ok(TlsMode::Disabled),
            "allowTLS" => Ok(TlsMode::Allow),
            "preferTLS" => Ok(TlsMode::Prefer),
            "requireTLS" => Ok(TlsMode::Require),
            other => Err(format!(
                "unknown TLS mode '{other}' (disabled, allowTLS, preferTLS, requireTLS)"
            )),
        }
    }
}

/// Where the server's TLS material is.
#[derive(Debug, Clone, Default)]
pub struct TlsFiles {
    /// PEM: the certificate chain (leaf first) and, unless `key_file` is given, the private key.
    pub certificate_key_file: std::path::PathBuf,
    /// PEM: the private key, when it is not in `certificate_key_file`.
    pub key_file: Option<std::path::PathBuf>,
    /// PEM: the CA certificates client certificates must chain to; given, clients must present one
    /// unless `allow_without_certificates`.
    pub ca_file: Option<std::path::PathBuf>,
    /// With a CA file: also accept clients that present no certificate (mongod's
    /// `--tlsAllowConnectionsWithoutCertificates`); a certificate presented is still verified.
    pub allow_without_certificates: bool,
}

/// A server's TLS settings: the rustls configuration and the mode.
#[derive(Clone)]
pub struct Tls {
    acceptor: TlsAcceptor,
    mode: TlsMode,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("cannot read the certificates of {}: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("{} holds no PEM certificate", path.display()));
    }
    Ok(certs)
}

impl Tls {
    /// The settings from PEM files and a mode (not [`TlsMode::Disabled`]). Errors are one line naming the
    /// file.
    pub fn from_files(files: &TlsFiles, mode: TlsMode) -> Result<Tls, String> {
        let certs = read_certs(&files.certificate_key_file)?;
        let key_path = files
            .key_file
            .as_deref()
            .unwrap_or(&files.certificate_key_file);
        let key = PrivateKeyDer::from_pem_file(key_path).map_err(|e| {
            format!(
                "cannot read a PEM private key from {}: {e}",
                key_path.display()
            )
        })?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS configuration: {e}"))?;
        let builder = match &files.ca_file {
            None => builder.with_no_client_auth(),
            Some(ca) => {
                let mut roots = RootCertStore::empty();
                for c in read_certs(ca)? {
                    roots
                        .add(c)
                        .map_err(|e| format!("bad CA certificate in {}: {e}", ca.display()))?;
                }
                let verifier =
                    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
                let verifier = if files.allow_without_certificates {
                    verifier.allow_unauthenticated()
                } else {
                    verifier
                };
                builder.with_client_cert_verifier(
                    verifier
                        .build()
                        .map_err(|e| format!("client certificate verifier: {e}"))?,
                )
            }
        };
        let config = builder.with_single_cert(certs, key).map_err(|e| {
            format!(
                "the certificate and key of {} do not go together: {e}",
                files.certificate_key_file.display()
            )
        })?;
        Ok(Tls::from_config(Arc::new(config), mode))
    }

    /// Settings from a rustls configuration made elsewhere.
    pub fn from_config(config: Arc<ServerConfig>, mode: TlsMode) -> Tls {
        Tls {
            acceptor: TlsAcceptor::from(config),
            mode,
        }
    }

    /// The mode.
    pub fn mode(&self) -> TlsMode {
        self.mode
    }
}

/// An accepted connection.
pub(super) enum Accepted {
    /// Without TLS (`allowTLS` / `preferTLS` only).
    Plain(TcpStream),
    /// With TLS, handshake done.
    Tls(Box<TlsStream<TcpStream>>),
}

/// Runs the TLS handshake (or, in `allowTLS` / `preferTLS`, lets a plain connection through); `None`
/// when the connection is to be closed (handshake failure or timeout, logged).
pub(super) async fn accept(
    tls: &Tls,
    stream: TcpStream,
    peer: std::net::SocketAddr,
) -> Option<Accepted> {
    let attempt = async {
        if tls.mode != TlsMode::Require {
            let mut first = [0u8; 1];
            let n = stream.peek(&mut first).await.map_err(|e| e.to_string())?;
            if n == 0 || first[0] != TLS_HANDSHAKE_RECORD || tls.mode == TlsMode::Disabled {
                return Ok(Accepted::Plain(stream));
            }
        }
        tls.acceptor
            .accept(stream)
            .await
            .map(|s| Accepted::Tls(Box::new(s)))
            .map_err(|e| e.to_string())
    };
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, attempt).await {
        Ok(Ok(a)) => Some(a),
        Ok(Err(e)) => {
            tracing::warn!(%peer, "closing connection: TLS handshake failed: {e}");
            None
        }
        Err(_) => {
            tracing::warn!(%peer, "closing connection: no TLS handshake within {HANDSHAKE_TIMEOUT:?}");
            None
        }
    }
}
