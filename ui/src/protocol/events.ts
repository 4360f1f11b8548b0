// The typed events of each channel kind. The engine publishes only `SessionEvent`s on a
// `session:` channel and only `AccountEvent`s on `user:owner`, as the generated unions declare;
// this is the one place an event frame is read as one of them.
import type { AccountEvent, SessionEvent } from "../gen/protocol";
import type { ChannelEvent } from "./client";

/** An event of a `session:` channel. */
export function sessionEvent(frame: ChannelEvent): SessionEvent {
  return { event: frame.event, data: frame.data } as SessionEvent;
}

/** An event of `user:owner`. */
export function accountEvent(frame: ChannelEvent): AccountEvent {
  return { event: frame.event, data: frame.data } as AccountEvent;
}
