//! SSH-key sign-in: good signatures once, bad ones and other engines' refused, challenges bounded.

use ssh_key::{Algorithm, PrivateKey};

use super::*;

fn keys() -> (tempfile::TempDir, SshKeys) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), Default::default());
    (dir, SshKeys::load(store))
}

fn keypair() -> PrivateKey {
    PrivateKey::random(&mut ssh_key::rand_core::OsRng, Algorithm::Ed25519).unwrap()
}

/// The `Host` the tests' engine is reached as.
const HOST: &str = "127.0.0.1:7410";

fn signed_as(key: &PrivateKey, message: &[u8], challenge: &str) -> String {
    let signature = key.sign(NAMESPACE, HashAlg::Sha512, message).unwrap();
    authorization(challenge, &signature).unwrap()
}

fn signed(key: &PrivateKey, challenge: &str) -> String {
    signed_as(key, &signed_message(HOST, challenge), challenge)
}

#[test]
fn a_good_signature_signs_in_once() {
    let (_dir, keys) = keys();
    let key = keypair();
    let line = key.public_key().to_openssh().unwrap();
    let added = keys.add(&line, Some("laptop")).unwrap();
    let challenge = keys.challenge(None).unwrap();
    let header = signed(&key, &challenge);
    assert_eq!(
        keys.sign_in(HOST, &header).unwrap(),
        Caller::Key {
            fingerprint: added.fingerprint,
            name: "laptop".into()
        }
    );
    assert_eq!(keys.sign_in(HOST, &header), Err(KeyError::StaleChallenge));
}

#[test]
fn unknown_keys_bad_signatures_and_other_namespaces_fail() {
    let (_dir, keys) = keys();
    let key = keypair();
    keys.add(&key.public_key().to_openssh().unwrap(), Some("laptop"))
        .unwrap();
    let stranger = keypair();
    let challenge = keys.challenge(None).unwrap();
    assert!(matches!(
        keys.sign_in(HOST, &signed(&stranger, &challenge)),
        Err(KeyError::UnknownKey(_))
    ));
    let challenge = keys.challenge(None).unwrap();
    let other = keys.challenge(None).unwrap();
    assert_eq!(
        keys.sign_in(HOST, &signed(&key, &other).replace(&other, &challenge)),
        Err(KeyError::BadSignature),
        "a signature over another challenge"
    );
    let challenge = keys.challenge(None).unwrap();
    let wrong_namespace = key
        .sign("git", HashAlg::Sha512, &signed_message(HOST, &challenge))
        .unwrap();
    assert_eq!(
        keys.sign_in(HOST, &authorization(&challenge, &wrong_namespace).unwrap()),
        Err(KeyError::BadSignature)
    );
    assert!(matches!(
        keys.sign_in(HOST, "Tether-SSH challenge=x"),
        Err(KeyError::BadFormat(_))
    ));
    assert!(matches!(
        keys.add("ssh-ed25519 AAAA", None),
        Err(KeyError::Malformed(_))
    ));
}

#[test]
fn a_signature_is_good_only_at_the_engine_it_was_made_for() {
    let (_dir, keys) = keys();
    let key = keypair();
    keys.add(&key.public_key().to_openssh().unwrap(), Some("laptop"))
        .unwrap();
    // A malicious engine relays this engine's challenge and replays the answer.
    let challenge = keys.challenge(None).unwrap();
    let for_another = signed_as(
        &key,
        &signed_message("evil.example:7410", &challenge),
        &challenge,
    );
    assert_eq!(
        keys.sign_in(HOST, &for_another),
        Err(KeyError::BadSignature)
    );
    // The host is compared as hosts are, without regard to case.
    let challenge = keys.challenge(None).unwrap();
    let upper = signed_as(
        &key,
        &signed_message("LOCALHOST:7410", &challenge),
        &challenge,
    );
    assert!(keys.sign_in("localhost:7410", &upper).is_ok());
    // A client of the first version is told to update.
    let challenge = keys.challenge(None).unwrap();
    let unbound = signed_as(&key, &unbound_message(&challenge), &challenge);
    let refused = keys.sign_in(HOST, &unbound);
    assert_eq!(refused, Err(KeyError::UnboundSignature));
    assert!(refused.unwrap_err().to_string().contains("update it"));
}

#[test]
fn one_address_cannot_take_every_challenge() {
    let (_dir, keys) = keys();
    let here = |text: &str| Some(text.parse().unwrap());
    for n in 0..MAX_CHALLENGES_PER_ADDRESS {
        keys.challenge(here(&format!("127.0.0.{}", n + 1))).unwrap();
    }
    assert_eq!(keys.challenge(here("127.0.9.9")), Err(KeyError::BusyHere));
    assert_eq!(keys.challenge(here("::1")), Err(KeyError::BusyHere));
    assert!(keys.challenge(here("192.0.2.1")).is_ok(), "another address");
    assert!(keys.challenge(None).is_ok(), "the local socket");
}

#[tokio::test(start_paused = true)]
async fn challenges_expire() {
    let (_dir, keys) = keys();
    let key = keypair();
    keys.add(&key.public_key().to_openssh().unwrap(), Some("laptop"))
        .unwrap();
    let challenge = keys.challenge(None).unwrap();
    tokio::time::advance(CHALLENGE_TTL).await;
    assert_eq!(
        keys.sign_in(HOST, &signed(&key, &challenge)),
        Err(KeyError::StaleChallenge)
    );
}
