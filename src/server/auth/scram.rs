//! SCRAM-SHA-256 (RFC 5802 with RFC 7677's hash), the server side of the exchange mongod runs over
//! `saslStart` / `saslContinue`.
//!
//! The server keeps, per user, only what RFC 5802 section 3 calls the verifier: the salt, the iteration count,
//! `StoredKey = H(HMAC(SaltedPassword, "Client Key"))` and `ServerKey = HMAC(SaltedPassword, "Server Key")`,
//! where `SaltedPassword = PBKDF2-HMAC-SHA-256(SASLprep(password), salt, i)`. A password is never stored.
//!
//! The conversation: the client's first message (`n,,n=user,r=cnonce`) is answered with
//! `r=cnonce+snonce,s=salt,i=count` ([`ServerConversation::start`]); the client's final message
//! (`c=biws,r=nonce,p=proof`) is checked against `StoredKey` and answered with `v=ServerSignature`
//! ([`ServerConversation::finish`]). Channel binding is not offered (`n` or `y` GS2 flags only), as mongod.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use bson::{doc, Bson, Document};
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The mechanism name drivers send.
pub const MECHANISM: &str = "SCRAM-SHA-256";
/// mongod's default `scramSHA256IterationCount`.
pub const DEFAULT_ITERATIONS: u32 = 15_000;
/// mongod's minimum for `scramSHA256IterationCount` (RFC 7677 asks for at least 4,096).
pub const MIN_ITERATIONS: u32 = 4_096;
/// The salt length mongod uses for SCRAM-SHA-256 credentials.
const SALT_LEN: usize = 28;
/// Bytes of randomness in the server's nonce (base64: 32 characters).
const SERVER_NONCE_LEN: usize = 24;

type HmacSha256 = Hmac<Sha256>;

/// Why a SCRAM exchange failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScramError {
    /// A message that is not SCRAM as RFC 5802 writes it.
    #[error("{0}")]
    Malformed(String),
    /// The client's proof does not match the stored key: wrong password (mongod: 18 AuthenticationFailed).
    #[error("Authentication failed.")]
    ProofMismatch,
    /// A password SASLprep (RFC 4013) refuses (prohibited or unassigned characters, bad bidi).
    #[error("Error preparing the password with SASLprep: {0}")]
    Prep(String),
}

fn malformed(what: impl Into<String>) -> ScramError {
    ScramError::Malformed(what.into())
}

/// The SCRAM-SHA-256 verifier of one user, as mongod stores it under `credentials.SCRAM-SHA-256`.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// PBKDF2 iterations.
    pub iteration_count: u32,
    /// The salt (raw bytes; base64 in the stored document and on the wire).
    pub salt: Vec<u8>,
    /// `H(ClientKey)`.
    pub stored_key: [u8; 32],
    /// `HMAC(SaltedPassword, "Server Key")`.
    pub server_key: [u8; 32],
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The keys are as good as the password against this server: never in logs.
        f.debug_struct("Credentials")
            .field("iteration_count", &self.iteration_count)
            .finish_non_exhaustive()
    }
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC takes a key of any length: `new_from_slice` cannot fail here.
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// SASLprep (RFC 4013) of a password, as mongod applies it to SCRAM-SHA-256 passwords (and drivers do
/// on their side): NFKC, mapping of non-ASCII spaces to space, removal of "mapped to nothing" characters,
/// refusal of prohibited and unassigned code points.
pub fn saslprep(password: &str) -> Result<String, ScramError> {
    stringprep::saslprep(password)
        .map(|s| s.into_owned())
        .map_err(|e| ScramError::Prep(e.to_string()))
}

impl Credentials {
    /// The verifier for `password` with a fresh random salt and `iterations` (at least [`MIN_ITERATIONS`]).
    pub fn generate(password: &str, iterations: u32) -> Result<Credentials, ScramError> {
        let mut salt = vec![0u8; SALT_LEN];
        rand::rng().fill_bytes(&mut salt);
        Credentials::derive(password, &salt, iterations)
    }

    /// The verifier for `password` with this salt and iteration count (the password is SASLprepped first).
    pub fn derive(password: &str, salt: &[u8], iterations: u32) -> Result<Credentials, ScramError> {
        let prepped = saslprep(password)?;
        let mut salted = [0u8; 32];
        pbkdf2::pbkdf2::<HmacSha256>(prepped.as_bytes(), salt, iterations, &mut salted)
            .map_err(|e| malformed(format!("PBKDF2 failed: {e}")))?;
        let client_key = hmac(&salted, b"Client Key");
        Ok(Credentials {
            iteration_count: iterations,
            salt: salt.to_vec(),
            stored_key: sha256(&client_key),
            server_key: hmac(&salted, b"Server Key"),
        })
    }

    /// mongod's stored form: `{iterationCount, salt, storedKey, serverKey}`, byte strings in base64.
    pub fn to_document(&self) -> Document {
        doc! {
            "iterationCount": self.iteration_count as i32,
            "salt": B64.encode(&self.salt),
            "storedKey": B64.encode(self.stored_key),
            "serverKey": B64.encode(self.server_key),
        }
    }

    /// Reads the stored form back; `None` when a field is missing or damaged.
    pub fn from_document(d: &Document) -> Option<Credentials> {
        let count = match d.get("iterationCount")? {
            Bson::Int32(n) => u32::try_from(*n).ok()?,
            Bson::Int64(n) => u32::try_from(*n).ok()?,
            _ => return None,
        };
        let key = |name: &str| -> Option<[u8; 32]> {
            B64.decode(d.get_str(name).ok()?).ok()?.try_into().ok()
        };
        Some(Credentials {
            iteration_count: count,
            salt: B64.decode(d.get_str("salt").ok()?).ok()?,
            stored_key: key("storedKey")?,
            server_key: key("serverKey")?,
        })
    }
}

/// The client's first message, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientFirst {
    /// The user name (`n=`), with `=2C` and `=3D` decoded.
    pub username: String,
    /// The client's nonce (`r=`).
    pub nonce: String,
    /// The GS2 header (`n,,` or `y,,`), which the final message's `c=` must repeat.
    gs2_header: String,
    /// `client-first-message-bare`, part of the signed `AuthMessage`.
    bare: String,
}

/// RFC 5802's `saslname` decoding: `=2C` is `,`, `=3D` is `=`, any other `=` is an error.
fn decode_saslname(s: &str) -> Result<String, ScramError> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('=') {
        out.push_str(&rest[..i]);
        let esc = rest.get(i..i + 3);
        match esc {
            Some("=2C") => out.push(','),
            Some("=3D") => out.push('='),
            _ => return Err(malformed("invalid escape in the SCRAM user name")),
        }
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    Ok(out)
}

impl ClientFirst {
    /// Parses `gs2-header client-first-message-bare` (`n,,n=user,r=nonce`).
    pub fn parse(payload: &[u8]) -> Result<ClientFirst, ScramError> {
        let msg = std::str::from_utf8(payload)
            .map_err(|_| malformed("the SCRAM client-first message is not UTF-8"))?;
        let mut parts = msg.splitn(3, ',');
        let flag = parts.next().unwrap_or("");
        let authzid = parts
            .next()
            .ok_or_else(|| malformed("incorrect SCRAM client-first message: no GS2 header"))?;
        let bare = parts
            .next()
            .ok_or_else(|| malformed("incorrect SCRAM client-first message: no user name"))?;
        match flag {
            "n" | "y" => {}
            f if f.starts_with("p=") => {
                return Err(malformed(
                    "server does not support channel binding (SCRAM-SHA-256-PLUS)",
                ))
            }
            _ => return Err(malformed("incorrect SCRAM client-first GS2 flag")),
        }
        if !authzid.is_empty() && !authzid.starts_with("a=") {
            return Err(malformed("incorrect SCRAM authorization identity"));
        }
        let mut fields = bare.split(',');
        let user = fields
            .next()
            .and_then(|f| f.strip_prefix("n="))
            .ok_or_else(|| malformed("incorrect SCRAM user name (n=)"))?;
        let nonce = fields
            .next()
            .and_then(|f| f.strip_prefix("r="))
            .ok_or_else(|| malformed("incorrect SCRAM client nonce (r=)"))?;
        if nonce.is_empty()
            || !nonce
                .bytes()
                .all(|b| (0x21..=0x7e).contains(&b) && b != b',')
        {
            return Err(malformed("incorrect SCRAM client nonce"));
        }
        let username = decode_saslname(user)?;
        if username.is_empty() {
            return Err(malformed("empty SCRAM user name"));
        }
        if let Some(a) = authzid.strip_prefix("a=") {
            if decode_saslname(a)? != username {
                return Err(malformed(
                    "SCRAM authorization identity must match the user name",
                ));
            }
        }
        Ok(ClientFirst {
            username,
            nonce: nonce.to_string(),
            gs2_header: format!("{flag},{authzid},"),
            bare: bare.to_string(),
        })
    }
}

/// The server's half of one SCRAM conversation, between the first and the final client message.
#[derive(Debug, Clone)]
pub struct ServerConversation {
    credentials: Credentials,
    gs2_header: String,
    client_first_bare: String,
    server_first: String,
    nonce: String,
}

/// A fresh server nonce: 24 random bytes in base64 (printable, no comma).
pub fn server_nonce() -> String {
    let mut bytes = [0u8; SERVER_NONCE_LEN];
    rand::rng().fill_bytes(&mut bytes);
    B64.encode(bytes)
}

impl ServerConversation {
    /// Answers the client's first message for a user with these credentials; returns the conversation and
    /// the server-first message (`r=cnonce+snonce,s=salt,i=count`).
    pub fn start(
        first: &ClientFirst,
        credentials: Credentials,
        server_nonce: &str,
    ) -> (ServerConversation, String) {
        let nonce = format!("{}{}", first.nonce, server_nonce);
        let server_first = format!(
            "r={nonce},s={},i={}",
            B64.encode(&credentials.salt),
            credentials.iteration_count
        );
        let conv = ServerConversation {
            credentials,
            gs2_header: first.gs2_header.clone(),
            client_first_bare: first.bare.clone(),
            server_first: server_first.clone(),
            nonce,
        };
        (conv, server_first)
    }

    /// Checks the client's final message (`c=..,r=..,p=proof`) and returns the server-final message
    /// (`v=ServerSignature`).
    pub fn finish(&self, payload: &[u8]) -> Result<String, ScramError> {
        let msg = std::str::from_utf8(payload)
            .map_err(|_| malformed("the SCRAM client-final message is not UTF-8"))?;
        let (without_proof, proof) = msg
            .rsplit_once(",p=")
            .ok_or_else(|| malformed("incorrect SCRAM client-final message: no proof (p=)"))?;
        let mut fields = without_proof.split(',');
        let binding = fields
            .next()
            .and_then(|f| f.strip_prefix("c="))
            .ok_or_else(|| malformed("incorrect SCRAM channel binding (c=)"))?;
        let nonce = fields
            .next()
            .and_then(|f| f.strip_prefix("r="))
            .ok_or_else(|| malformed("incorrect SCRAM nonce (r=)"))?;
        let binding = B64
            .decode(binding)
            .map_err(|_| malformed("incorrect SCRAM channel binding: not base64"))?;
        if binding != self.gs2_header.as_bytes() {
            return Err(malformed(
                "SCRAM channel binding does not match the GS2 header",
            ));
        }
        if nonce != self.nonce {
            return Err(malformed(
                "Unmatched SCRAM nonce received from client in second step",
            ));
        }
        let proof: [u8; 32] = B64
            .decode(proof)
            .ok()
            .and_then(|p| p.try_into().ok())
            .ok_or_else(|| malformed("incorrect SCRAM client proof"))?;
        let auth_message = format!(
            "{},{},{}",
            self.client_first_bare, self.server_first, without_proof
        );
        let client_signature = hmac(&self.credentials.stored_key, auth_message.as_bytes());
        let mut client_key = proof;
        for (k, s) in client_key.iter_mut().zip(client_signature) {
            *k ^= s;
        }
        if !bool::from(sha256(&client_key).ct_eq(&self.credentials.stored_key)) {
            return Err(ScramError::ProofMismatch);
        }
        let server_signature = hmac(&self.credentials.server_key, auth_message.as_bytes());
        Ok(format!("v={}", B64.encode(server_signature)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7677 section 3: user "user", password "pencil".
    const RFC_CLIENT_FIRST: &str = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    const RFC_SERVER_NONCE: &str = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    const RFC_SALT_B64: &str = "W22ZaJ0SNY7soEsUEjb6gQ==";
    const RFC_SERVER_FIRST: &str =
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    const RFC_CLIENT_FINAL: &str = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    const RFC_SERVER_FINAL: &str = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    fn rfc_credentials() -> Credentials {
        let salt = B64.decode(RFC_SALT_B64).expect("salt");
        Credentials::derive("pencil", &salt, 4096).expect("derive")
    }

    #[test]
    fn rfc7677_test_vector() {
        let first = ClientFirst::parse(RFC_CLIENT_FIRST.as_bytes()).expect("client-first");
        assert_eq!(first.username, "user");
        let (conv, server_first) =
            ServerConversation::start(&first, rfc_credentials(), RFC_SERVER_NONCE);
        assert_eq!(server_first, RFC_SERVER_FIRST);
        let server_final = conv
            .finish(RFC_CLIENT_FINAL.as_bytes())
            .expect("proof accepted");
        assert_eq!(server_final, RFC_SERVER_FINAL);
    }

    #[test]
    fn wrong_password_is_refused() {
        let salt = B64.decode(RFC_SALT_B64).expect("salt");
        let creds = Credentials::derive("pencil2", &salt, 4096).expect("derive");
        let first = ClientFirst::parse(RFC_CLIENT_FIRST.as_bytes()).expect("client-first");
        let (conv, _) = ServerConversation::start(&first, creds, RFC_SERVER_NONCE);
        assert_eq!(
            conv.finish(RFC_CLIENT_FINAL.as_bytes()),
            Err(ScramError::ProofMismatch)
        );
    }

    #[test]
    fn a_changed_nonce_or_binding_is_refused() {
        let first = ClientFirst::parse(RFC_CLIENT_FIRST.as_bytes()).expect("client-first");
        let (conv, _) = ServerConversation::start(&first, rfc_credentials(), RFC_SERVER_NONCE);
        let other_nonce = RFC_CLIENT_FINAL.replace("$k0", "$k1");
        assert!(matches!(
            conv.finish(other_nonce.as_bytes()),
            Err(ScramError::Malformed(_))
        ));
        let other_binding = RFC_CLIENT_FINAL.replace("c=biws", "c=eSws");
        assert!(matches!(
            conv.finish(other_binding.as_bytes()),
            Err(ScramError::Malformed(_))
        ));
        assert!(conv.finish(b"c=biws").is_err());
        assert!(conv.finish(&[0xff, 0xfe]).is_err());
    }

    #[test]
    fn client_first_parsing() {
        let f = ClientFirst::parse(b"n,,n=a=2Cb=3Dc,r=abc").expect("escaped name");
        assert_eq!(f.username, "a,b=c");
        assert!(ClientFirst::parse(b"n,,n=a=2Xb,r=abc").is_err());
        assert!(ClientFirst::parse(b"p=tls-unique,,n=user,r=abc").is_err());
        assert!(ClientFirst::parse(b"n,,n=,r=abc").is_err());
        assert!(ClientFirst::parse(b"n,,n=user").is_err());
        assert!(ClientFirst::parse(b"n,,n=user,r=").is_err());
        assert!(ClientFirst::parse(b"").is_err());
        assert!(ClientFirst::parse(b"n,a=other,n=user,r=abc").is_err());
        assert!(ClientFirst::parse(b"n,a=user,n=user,r=abc").is_ok());
    }

    #[test]
    fn stored_form_round_trips() {
        let c = rfc_credentials();
        let d = c.to_document();
        assert_eq!(d.get_str("salt").expect("salt"), RFC_SALT_B64);
        assert_eq!(Credentials::from_document(&d), Some(c));
        assert_eq!(Credentials::from_document(&doc! {"salt": "x"}), None);
    }

    #[test]
    fn saslprep_maps_and_refuses_as_rfc4013() {
        // RFC 4013 section 3's examples.
        assert_eq!(saslprep("I\u{00AD}X").expect("soft hyphen"), "IX");
        assert_eq!(saslprep("\u{00AA}").expect("NFKC"), "a");
        assert_eq!(saslprep("\u{2168}").expect("NFKC"), "IX");
        assert!(saslprep("\u{0007}").is_err());
        assert!(saslprep("\u{0627}1").is_err());
        // A password prepared the same way derives the same keys.
        let salt = [7u8; 16];
        assert_eq!(
            Credentials::derive("I\u{00AD}X", &salt, 4096),
            Credentials::derive("IX", &salt, 4096)
        );
    }
}
