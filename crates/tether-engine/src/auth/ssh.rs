//! SSH-key sign-in: the server hands out single-use challenges, the client signs one with an
//! authorized key (SSH signature format, namespace `tether`), the server checks it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError, RwLock};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use ssh_key::{HashAlg, PublicKey, SshSig};
use tokio::time::Instant;

use super::{Caller, display_name};
use crate::peer_address::counted_as;
use tether_protocol::AuthorizedKey;
use tether_protocol::clock::unix_now;
use tether_store::{Row, Store};

/// The SSH signature namespace of Tether's sign-in, so no other signature can pass for one.
pub const NAMESPACE: &str = "tether";
/// The `Authorization` scheme that carries a signed challenge.
pub const SCHEME: &str = "Tether-SSH";
/// How long a challenge may be answered.
pub const CHALLENGE_TTL: Duration = Duration::from_secs(30);
/// Challenges outstanding at once.
const MAX_CHALLENGES: usize = 1024;
/// Challenges outstanding at once for one address (as [`counted_as`] counts it), so no one
/// address can take the slots of everyone else.
pub const MAX_CHALLENGES_PER_ADDRESS: usize = 16;

/// Why adding, removing or signing in with a key failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("not an OpenSSH public key: {0}")]
    Malformed(String),
    #[error("a key name must be 1 to 64 printable characters")]
    InvalidName,
    #[error("no authorized key has the fingerprint {0}")]
    NotFound(String),
    #[error("the challenge is unknown, expired or already used: ask for a new one")]
    StaleChallenge,
    #[error(
        "this client signs the first version of the sign-in, which is not bound to the engine \
         it signs for: update it (it must sign `tether-sign-in-v2:<host>:<challenge>`)"
    )]
    UnboundSignature,
    #[error("too many sign-ins are under way; try again in a moment")]
    Busy,
    #[error(
        "{MAX_CHALLENGES_PER_ADDRESS} sign-ins from your address are under way already: answer \
         or let one expire first"
    )]
    BusyHere,
    #[error("the signature cannot be read: {0}")]
    BadFormat(String),
    #[error("the key {0} is not authorized to sign in here")]
    UnknownKey(String),
    #[error("the signature does not match the challenge and key")]
    BadSignature,
}

/// The bytes a client signs for `challenge` from the engine it reaches as `host` (the
/// `Host` header it sends, such as `127.0.0.1:7410`): a signature meant for one engine does
/// not pass at another, so an engine cannot relay a challenge and replay its answer.
pub fn signed_message(host: &str, challenge: &str) -> Vec<u8> {
    let host = host.to_ascii_lowercase();
    format!("tether-sign-in-v2:{host}:{challenge}").into_bytes()
}

/// What clients of the first version signed, bound to no engine: recognized only to tell
/// such a client to update.
fn unbound_message(challenge: &str) -> Vec<u8> {
    format!("tether-sign-in-v1:{challenge}").into_bytes()
}

/// The `Authorization` header value that presents `signature` over `challenge`.
pub fn authorization(challenge: &str, signature: &SshSig) -> Result<String, ssh_key::Error> {
    let pem = signature.to_pem(ssh_key::LineEnding::LF)?;
    Ok(format!(
        "{SCHEME} challenge={challenge},signature={}",
        URL_SAFE_NO_PAD.encode(pem)
    ))
}

/// The challenge and signature in an `Authorization` value of the [`SCHEME`].
fn parse_authorization(value: &str) -> Result<(String, SshSig), KeyError> {
    let bad = |why: &str| KeyError::BadFormat(why.to_owned());
    let rest = value
        .strip_prefix(SCHEME)
        .and_then(|rest| rest.strip_prefix(' '))
        .ok_or_else(|| bad("expected `Tether-SSH challenge=…,signature=…`"))?;
    let mut challenge = None;
    let mut signature = None;
    for field in rest.split(',') {
        match field.trim().split_once('=') {
            Some(("challenge", value)) => challenge = Some(value.to_owned()),
            Some(("signature", value)) => signature = Some(value),
            _ => return Err(bad("expected the fields challenge and signature")),
        }
    }
    let (Some(challenge), Some(signature)) = (challenge, signature) else {
        return Err(bad("expected the fields challenge and signature"));
    };
    let pem = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| bad("the signature is not base64url"))?;
    let signature = SshSig::from_pem(pem).map_err(|error| bad(&error.to_string()))?;
    Ok((challenge, signature))
}

/// The authorized keys and the challenges handed out.
pub struct SshKeys {
    store: Store,
    keys: RwLock<BTreeMap<String, AuthorizedKey>>,
    challenges: Mutex<HashMap<String, Issued>>,
}

/// A challenge handed out: until when it may be answered, and to which address.
struct Issued {
    expires: Instant,
    to: Option<std::net::IpAddr>,
}

impl SshKeys {
    /// The keys the store kept.
    pub fn load(store: Store) -> Self {
        let keys = (store.loaded("SSH keys", store.ssh_keys()).into_iter())
            .map(|key| (key.fingerprint.clone(), key))
            .collect();
        Self {
            store,
            keys: RwLock::new(keys),
            challenges: Mutex::default(),
        }
    }

    pub fn list(&self) -> Vec<AuthorizedKey> {
        let keys = self.keys.read().unwrap_or_else(PoisonError::into_inner);
        keys.values().cloned().collect()
    }

    /// Authorizes a key given in OpenSSH's one-line form, named `name` or else its comment.
    pub fn add(&self, line: &str, name: Option<&str>) -> Result<AuthorizedKey, KeyError> {
        let key = PublicKey::from_openssh(line.trim())
            .map_err(|error| KeyError::Malformed(error.to_string()))?;
        let name = display_name(name.unwrap_or(key.comment()))
            .or_else(|| display_name(key.algorithm().as_str()))
            .ok_or(KeyError::InvalidName)?;
        let mut bare = key.clone();
        bare.set_comment("");
        let authorized = AuthorizedKey {
            fingerprint: key.fingerprint(HashAlg::Sha256).to_string(),
            name,
            public_key: bare
                .to_openssh()
                .map_err(|error| KeyError::Malformed(error.to_string()))?,
            added_at: unix_now(),
            last_used: None,
        };
        let mut keys = self.keys.write().unwrap_or_else(PoisonError::into_inner);
        keys.insert(authorized.fingerprint.clone(), authorized.clone());
        self.store.save(Row::Key(authorized.clone()));
        Ok(authorized)
    }

    /// Removes a key; closing its live connections is the caller's part.
    pub fn remove(&self, fingerprint: &str) -> Result<AuthorizedKey, KeyError> {
        let mut keys = self.keys.write().unwrap_or_else(PoisonError::into_inner);
        let removed = keys
            .remove(fingerprint)
            .ok_or_else(|| KeyError::NotFound(fingerprint.to_owned()))?;
        self.store
            .save(Row::KeyRemoved(removed.fingerprint.clone()));
        Ok(removed)
    }

    /// A fresh challenge for a client at `from` (none on the local socket), valid for
    /// [`CHALLENGE_TTL`] and one sign-in attempt.
    pub fn challenge(&self, from: Option<std::net::IpAddr>) -> Result<String, KeyError> {
        let now = Instant::now();
        let to = from.map(counted_as);
        let mut challenges = self
            .challenges
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        challenges.retain(|_, issued| issued.expires > now);
        if challenges.len() >= MAX_CHALLENGES {
            return Err(KeyError::Busy);
        }
        let here = challenges.values().filter(|issued| issued.to == to).count();
        if to.is_some() && here >= MAX_CHALLENGES_PER_ADDRESS {
            return Err(KeyError::BusyHere);
        }
        let challenge = URL_SAFE_NO_PAD.encode(rand::rng().random::<[u8; 32]>());
        let expires = now + CHALLENGE_TTL;
        challenges.insert(challenge.clone(), Issued { expires, to });
        Ok(challenge)
    }

    /// Checks an `Authorization` value of the [`SCHEME`] sent to this engine as `host` (the
    /// request's `Host`, which the listener allows only for its own names). The challenge is
    /// used up whatever the outcome, so each one allows a single try.
    pub fn sign_in(&self, host: &str, authorization: &str) -> Result<Caller, KeyError> {
        let (challenge, signature) = parse_authorization(authorization)?;
        let issued = self
            .challenges
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&challenge);
        if issued.is_none_or(|issued| issued.expires <= Instant::now()) {
            return Err(KeyError::StaleChallenge);
        }
        // The signature is checked against the key it names before that key is looked up,
        // so a forged signature cannot tell whether a key is authorized.
        let public = PublicKey::from(signature.public_key().clone());
        let verify = |message: &[u8]| public.verify(NAMESPACE, message, &signature).is_ok();
        if !verify(&signed_message(host, &challenge)) {
            return Err(match verify(&unbound_message(&challenge)) {
                true => KeyError::UnboundSignature,
                false => KeyError::BadSignature,
            });
        }
        let fingerprint = public.fingerprint(HashAlg::Sha256).to_string();
        let mut keys = self.keys.write().unwrap_or_else(PoisonError::into_inner);
        let Some(key) = keys.get_mut(&fingerprint) else {
            return Err(KeyError::UnknownKey(fingerprint));
        };
        key.last_used = Some(unix_now());
        self.store.save(Row::Key(key.clone()));
        Ok(Caller::Key {
            fingerprint: key.fingerprint.clone(),
            name: key.name.clone(),
        })
    }

    /// Whether a key is authorized right now.
    pub fn contains(&self, fingerprint: &str) -> bool {
        let keys = self.keys.read().unwrap_or_else(PoisonError::into_inner);
        keys.contains_key(fingerprint)
    }
}

#[cfg(test)]
mod tests;
