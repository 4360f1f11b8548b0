//! The full protocol, the dialect of `/ws` and the desktop window: greets with `welcome`, then
//! decodes each frame, runs requests side by side and answers them in order, and joins and
//! leaves channels.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;

use futures_util::stream::FuturesOrdered;
use futures_util::{Stream, StreamExt};

use super::Dialect;
use super::heartbeat::Heartbeat;
use super::rate::{FrameRate, Rate};
use super::transport::PeerFrame;
use tether_engine::auth::{Caller, OWNER, parse_channel, readable_channel};
use tether_engine::engine::Engine;
use tether_engine::hub::{Join, Outbound, Outbox};
use tether_protocol::{
    ChannelName, ClientFrame, CloseReason, ConnectionInfo, ErrorCode, PROTOCOL_VERSION, Position,
    RequestId, RpcError, ServerFrame, ServerInfo, decode, encode,
};

/// A response on its way: a request still running, or an answer already made.
type Response = Pin<Box<dyn Future<Output = ServerFrame> + Send>>;

/// The responses on their way, in request order; made with the first request and let go once
/// all are answered, so an idle connection holds none of it.
#[derive(Default)]
struct Responses(Option<Box<FuturesOrdered<Response>>>);

impl Responses {
    fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |responses| responses.len())
    }

    fn push_back(&mut self, response: Response) {
        self.0
            .get_or_insert_with(|| Box::new(FuturesOrdered::new()))
            .push_back(response);
    }

    /// The next response in request order; `None` at once when none is on its way.
    async fn next(&mut self) -> Option<ServerFrame> {
        let frame = self.0.as_mut()?.next().await;
        if self.len() == 0 {
            self.0 = None;
        }
        frame
    }
}

/// The full protocol's dialect: what a `/ws` or desktop connection holds across its life.
pub(crate) struct Protocol {
    engine: Engine,
    caller: Caller,
    outbox: Outbox,
    /// The channels joined, left when the connection ends.
    channels: BTreeSet<ChannelName>,
    rate: FrameRate,
    max_subscriptions: usize,
    max_requests_in_flight: usize,
}

impl Protocol {
    /// A connection of `caller`'s, greeted with `welcome` on `outbox`.
    pub fn greet(engine: Engine, caller: Caller, outbox: &Outbox) -> Self {
        let welcome = ServerFrame::Welcome {
            protocol: PROTOCOL_VERSION,
            server: ServerInfo {
                version: tether_engine::VERSION.to_owned(),
            },
            connection: ConnectionInfo {
                id: outbox.id(),
                device: caller.device_name().to_owned(),
                user: OWNER.to_owned(),
            },
        };
        outbox.push(Outbound::Frame(encode(&welcome)));
        let limits = &engine.config().limits;
        Self {
            rate: FrameRate::new(limits),
            max_subscriptions: limits.max_subscriptions,
            max_requests_in_flight: limits.max_requests_in_flight.max(1),
            engine,
            caller,
            outbox: outbox.clone(),
            channels: BTreeSet::new(),
        }
    }
}

impl Dialect for Protocol {
    fn read<'a, R>(
        &'a mut self,
        stream: &'a mut R,
        heartbeat: &'a Heartbeat,
    ) -> impl Future<Output = ()> + Send + 'a
    where
        R: Stream<Item = PeerFrame> + Unpin + Send,
    {
        self.read_frames(stream, heartbeat)
    }

    async fn end(&mut self) {
        self.engine
            .hub()
            .unsubscribe(self.outbox.id(), &self.channels);
        self.channels.clear();
    }
}

impl Protocol {
    /// Reads frames until the peer leaves, breaks the protocol, or the connection is closed.
    /// Requests start in the order they arrive and run side by side, up to
    /// `max_requests_in_flight`; their responses leave in request order. Pings, subscribes
    /// and the peer's heartbeat are served meanwhile, so one slow request stalls none of them.
    async fn read_frames<R>(&mut self, stream: &mut R, heartbeat: &Heartbeat)
    where
        R: Stream<Item = PeerFrame> + Unpin + Send,
    {
        let closer = self.outbox.closer().clone();
        let mut responses = Responses::default();
        loop {
            let reading = responses.len() < self.max_requests_in_flight;
            let message = tokio::select! {
                biased;
                () = closer.closed() => return,
                Some(frame) = responses.next() => {
                    // Boxed while it runs, as is every wait below: inline, its room would be
                    // part of every idle connection.
                    Box::pin(self.answer(frame)).await;
                    continue;
                }
                message = stream.next(), if reading => message,
            };
            let Some(message) = message else { break };
            heartbeat.heard();
            match &message {
                PeerFrame::Text(text) => self.engine.metrics().received(text.len()),
                PeerFrame::Binary(size) => self.engine.metrics().received(*size),
                PeerFrame::Heartbeat => {}
                PeerFrame::Close => break,
                PeerFrame::Broken(reason) => {
                    closer.close(*reason);
                    return;
                }
            }
            // Every frame counts against the rate, heartbeats included.
            match self.rate.check() {
                Rate::Within => {}
                Rate::Over => {
                    let error = RpcError::new(
                        ErrorCode::RateLimited,
                        "too many frames; this one was dropped",
                    );
                    Box::pin(self.answer(ServerFrame::error(None, error))).await;
                    continue;
                }
                Rate::Abusive => {
                    closer.close(CloseReason::PolicyViolation);
                    return;
                }
            }
            match message {
                PeerFrame::Text(text) => {
                    if let Some(response) = Box::pin(self.handle(&text)).await {
                        responses.push_back(response);
                    }
                }
                PeerFrame::Binary(_) => {
                    let error = RpcError::new(
                        ErrorCode::UnsupportedFrame,
                        "binary frames are not part of the protocol; send JSON text",
                    );
                    Box::pin(self.answer(ServerFrame::error(None, error))).await;
                }
                PeerFrame::Heartbeat | PeerFrame::Close | PeerFrame::Broken(_) => {}
            }
        }
        // The peer is done sending; what it asked for is still answered.
        while let Some(frame) = tokio::select! {
            biased;
            () = closer.closed() => return,
            frame = responses.next() => frame,
        } {
            Box::pin(self.answer(frame)).await;
        }
        closer.close(CloseReason::Normal);
    }

    /// Serves one text frame: a request (or a frame that may have meant one) becomes a
    /// response on its way, after those of earlier requests; everything else is answered at
    /// once.
    async fn handle(&mut self, text: &str) -> Option<Response> {
        let frame = match decode(text) {
            Ok(frame) => frame,
            Err(invalid) => return Some(answered(ServerFrame::error(invalid.id, invalid.error))),
        };
        match frame {
            ClientFrame::Request { id, method, params } => {
                let engine = self.engine.clone();
                let caller = self.caller.clone();
                // Boxed while it runs: inline, the room for any request's work (the largest
                // future a connection runs) would be part of every idle connection.
                Some(Box::pin(async move {
                    match engine.dispatch(&caller, &method, params).await {
                        Ok(result) => ServerFrame::result(id, result),
                        Err(error) => ServerFrame::error(Some(id), error),
                    }
                }))
            }
            ClientFrame::Subscribe {
                id,
                channels,
                since,
            } => {
                if let Err(error) = self.subscribe(id.clone(), &channels, since.unwrap_or_default())
                {
                    self.answer(ServerFrame::error(id, error)).await;
                }
                None
            }
            ClientFrame::Unsubscribe { id, channels } => {
                let frame = match self.unsubscribe(&channels) {
                    Ok(channels) => ServerFrame::Unsubscribed { id, channels },
                    Err(error) => ServerFrame::error(id, error),
                };
                self.answer(frame).await;
                None
            }
            ClientFrame::Ping => {
                self.answer(ServerFrame::Pong).await;
                None
            }
        }
    }

    async fn answer(&self, frame: ServerFrame) {
        self.outbox.reply(encode(&frame)).await;
    }

    /// Validates and authorizes every channel, then joins them all at once (or none).
    fn subscribe(
        &mut self,
        id: Option<RequestId>,
        names: &[String],
        mut since: BTreeMap<String, Position>,
    ) -> Result<(), RpcError> {
        let channels = self.authorized(names)?;
        if let Some(stray) = since.keys().find(|name| !names.contains(name)) {
            return Err(RpcError::new(
                ErrorCode::InvalidChannel,
                format!("`since` names {stray:?}, which is not in `channels`"),
            ));
        }
        let total = self.channels.union(&channels).count();
        if total > self.max_subscriptions {
            return Err(RpcError::new(
                ErrorCode::TooManySubscriptions,
                format!("at most {} channels per connection", self.max_subscriptions),
            ));
        }
        let joins: Vec<Join> = channels
            .iter()
            .map(|channel| Join {
                since: since.remove(channel.as_str()),
                channel: channel.clone(),
            })
            .collect();
        if self.engine.hub().subscribe(&self.outbox, id, &joins) {
            self.channels.extend(channels);
        }
        Ok(())
    }

    fn unsubscribe(&mut self, names: &[String]) -> Result<Vec<String>, RpcError> {
        let channels = parse_all(names)?;
        self.engine.hub().unsubscribe(self.outbox.id(), &channels);
        self.channels.retain(|channel| !channels.contains(channel));
        Ok(channels.iter().map(ToString::to_string).collect())
    }

    /// Parses the names and checks this caller may read each channel.
    fn authorized(&self, names: &[String]) -> Result<BTreeSet<ChannelName>, RpcError> {
        names.iter().map(|name| readable_channel(name)).collect()
    }
}

fn parse_all(names: &[String]) -> Result<BTreeSet<ChannelName>, RpcError> {
    names.iter().map(|name| parse_channel(name)).collect()
}

/// A response that is ready now.
fn answered(frame: ServerFrame) -> Response {
    Box::pin(std::future::ready(frame))
}
