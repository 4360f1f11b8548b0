// Follows a channel while the component is shown: each event once, in order, and a reset
// when events were missed (or on the first subscribe) so the caller reloads what it shows.
import { useEffect, useRef } from "react";

import type { ChannelEvent, TetherClient } from "../protocol/client";

export type ChannelListener = (event: ChannelEvent | null) => void;

/** Calls `listener` with every event of `channel`, and with `null` when it should reload. */
export function useChannel(client: TetherClient, channel: string, listener: ChannelListener): void {
  const current = useRef(listener);
  current.current = listener;
  useEffect(
    () =>
      client.subscribe(channel, {
        event: (event) => current.current(event),
        reset: () => current.current(null),
      }),
    [client, channel],
  );
}
