//! Signing a sign-in challenge with an SSH key: from a key file, or through ssh-agent (the
//! agent protocol's list-keys and sign requests, over `SSH_AUTH_SOCK`).

use std::path::Path;

use anyhow::{Context, anyhow, bail};
use ssh_key::{Algorithm, HashAlg, PrivateKey, PublicKey, Signature, SshSig};
use tether_engine::auth::ssh::{NAMESPACE, signed_message};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;

const REQUEST_IDENTITIES: u8 = 11;
const IDENTITIES_ANSWER: u8 = 12;
const SIGN_REQUEST: u8 = 13;
const SIGN_RESPONSE: u8 = 14;
/// Asks the agent for an `rsa-sha2-512` signature from an RSA key.
const RSA_SHA2_512: u32 = 4;
/// The largest agent reply read.
const MAX_REPLY: usize = 256 << 10;

/// Signs `challenge` from the engine reached as `host` with an unencrypted OpenSSH private
/// key file.
pub fn sign_with_file(path: &Path, host: &str, challenge: &str) -> anyhow::Result<SshSig> {
    let key = PrivateKey::read_openssh_file(path)
        .with_context(|| format!("cannot read the SSH key {}", path.display()))?;
    if key.is_encrypted() {
        bail!(
            "{} is protected by a passphrase: add it to ssh-agent (`ssh-add`) and use --agent",
            path.display()
        );
    }
    Ok(key.sign(NAMESPACE, HashAlg::Sha512, &signed_message(host, challenge))?)
}

/// Signs `challenge` from the engine reached as `host` through ssh-agent with `wanted` (a
/// public key file), or the agent's first key.
pub async fn sign_with_agent(
    wanted: Option<&Path>,
    host: &str,
    challenge: &str,
) -> anyhow::Result<SshSig> {
    let socket = std::env::var_os("SSH_AUTH_SOCK")
        .ok_or_else(|| anyhow!("SSH_AUTH_SOCK is not set: is ssh-agent running?"))?;
    let mut agent = UnixStream::connect(&socket)
        .await
        .context("cannot reach ssh-agent at SSH_AUTH_SOCK")?;
    let wanted = wanted
        .map(|path| {
            PublicKey::read_openssh_file(path)
                .with_context(|| format!("cannot read the public key {}", path.display()))
        })
        .transpose()?;
    let reply = exchange(&mut agent, REQUEST_IDENTITIES, &[]).await?;
    let mut reader = Reader(&reply);
    if reader.byte()? != IDENTITIES_ANSWER {
        bail!("ssh-agent would not list its keys");
    }
    let count = reader.u32()?;
    let mut chosen = None;
    for _ in 0..count.min(1024) {
        let blob = reader.string()?.to_vec();
        reader.string()?;
        let key = PublicKey::from_bytes(&blob)?;
        let matches = wanted
            .as_ref()
            .is_none_or(|wanted| wanted.key_data() == key.key_data());
        if matches {
            chosen = Some((blob, key));
            break;
        }
    }
    let (blob, key) = chosen.ok_or_else(|| match &wanted {
        Some(_) => anyhow!("ssh-agent does not hold that key; add it with `ssh-add`"),
        None => anyhow!("ssh-agent holds no keys; add one with `ssh-add`"),
    })?;
    let data = SshSig::signed_data(NAMESPACE, HashAlg::Sha512, &signed_message(host, challenge))?;
    let flags = if matches!(key.algorithm(), Algorithm::Rsa { .. }) {
        RSA_SHA2_512
    } else {
        0
    };
    let mut request = Vec::new();
    put_string(&mut request, &blob);
    put_string(&mut request, &data);
    request.extend_from_slice(&flags.to_be_bytes());
    let reply = exchange(&mut agent, SIGN_REQUEST, &request).await?;
    let mut reader = Reader(&reply);
    if reader.byte()? != SIGN_RESPONSE {
        bail!("ssh-agent refused to sign (was the key confirmed?)");
    }
    let signature = Signature::try_from(reader.string()?)?;
    Ok(SshSig::new(
        key.key_data().clone(),
        NAMESPACE,
        HashAlg::Sha512,
        signature,
    )?)
}

/// Sends one agent message and reads its reply.
async fn exchange(agent: &mut UnixStream, kind: u8, payload: &[u8]) -> anyhow::Result<Vec<u8>> {
    let length = u32::try_from(payload.len() + 1)?;
    let mut message = length.to_be_bytes().to_vec();
    message.push(kind);
    message.extend_from_slice(payload);
    agent.write_all(&message).await?;
    let length = usize::try_from(agent.read_u32().await?)?;
    if length == 0 || length > MAX_REPLY {
        bail!("ssh-agent sent a reply of {length} bytes");
    }
    let mut reply = vec![0; length];
    agent.read_exact(&mut reply).await?;
    Ok(reply)
}

fn put_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// Reads the agent protocol's bytes, integers and strings.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, count: usize) -> anyhow::Result<&'a [u8]> {
        if self.0.len() < count {
            bail!("ssh-agent sent a truncated reply");
        }
        let (head, rest) = self.0.split_at(count);
        self.0 = rest;
        Ok(head)
    }

    fn byte(&mut self) -> anyhow::Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> anyhow::Result<u32> {
        let bytes = self.take(4)?;
        Ok(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    fn string(&mut self) -> anyhow::Result<&'a [u8]> {
        let length = usize::try_from(self.u32()?)?;
        self.take(length)
    }
}
