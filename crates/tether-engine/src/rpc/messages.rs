//! `messages.*`: send a prompt, interrupt the turn (control protocol, not a kill), retry the last one.

use super::{handle, session_error};
use crate::engine::Engine;
use crate::images;
use crate::supervisor::handle::Command;
use crate::supervisor::session_reducer::{Image, Prompt};
use tether_protocol::ErrorCode;
use tether_protocol::RpcError;
use tether_protocol::params::SessionParams;
use tether_protocol::params::{ImageUpload, SendParams};
use tether_protocol::results::Done;
use tether_protocol::results::MessageSent;

/// The longest prompt accepted, in bytes (a message frame is bounded anyway).
const MAX_PROMPT_BYTES: usize = 512 << 10;

/// Prompts whose images are decoded at once (each image may take up to 256 MB to decode).
static DECODING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// The longest client prompt id.
const MAX_CLIENT_ID_CHARS: usize = 64;

pub(super) async fn send(engine: &Engine, params: SendParams) -> Result<MessageSent, RpcError> {
    let blank = params.text.trim().is_empty();
    if (blank && params.images.is_empty()) || params.text.len() > MAX_PROMPT_BYTES {
        let error = format!(
            "text must be at most {MAX_PROMPT_BYTES} bytes, and not blank unless images are sent"
        );
        return Err(RpcError::new(ErrorCode::InvalidParams, error));
    }
    if params
        .client_id
        .as_ref()
        .is_some_and(|id| id.is_empty() || id.chars().count() > MAX_CLIENT_ID_CHARS)
    {
        return Err(RpcError::new(
            ErrorCode::InvalidParams,
            format!("client_id must be 1 to {MAX_CLIENT_ID_CHARS} characters"),
        ));
    }
    let session = handle(engine, &params.session_id)?;
    let images = checked(params.images).await?;
    // Images alone: the text is blank.
    let text = if blank { String::new() } else { params.text };
    let message_id = session
        .ask(|reply| Command::Send {
            prompt: Prompt { text, images },
            client_id: params.client_id,
            reply,
        })
        .await
        .map_err(session_error)?;
    Ok(MessageSent { message_id })
}

/// The prompt's images, checked off the async threads, one prompt's at a time.
async fn checked(uploads: Vec<ImageUpload>) -> Result<Vec<Image>, RpcError> {
    if uploads.is_empty() {
        return Ok(Vec::new());
    }
    let stopped = || RpcError::new(ErrorCode::Internal, "the image check stopped");
    let _turn = DECODING.acquire().await.map_err(|_| stopped())?;
    tokio::task::spawn_blocking(move || images::check_all(uploads))
        .await
        .map_err(|_| stopped())?
        .map_err(|error| RpcError::new(ErrorCode::InvalidParams, error.to_string()))
}

pub(super) async fn cancel(engine: &Engine, params: SessionParams) -> Result<Done, RpcError> {
    let session = handle(engine, &params.session_id)?;
    session
        .ask(|reply| Command::Cancel { reply })
        .await
        .map_err(session_error)?;
    Ok(Done {})
}

pub(super) async fn retry(engine: &Engine, params: SessionParams) -> Result<MessageSent, RpcError> {
    let session = handle(engine, &params.session_id)?;
    let message_id = session
        .ask(|reply| Command::Retry { reply })
        .await
        .map_err(session_error)?;
    Ok(MessageSent { message_id })
}
