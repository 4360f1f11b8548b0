// How long to wait before reconnecting: exponential, capped, with jitter, so a hundred phones
// that lost the engine at once do not all come back in the same instant.

export type Backoff = { firstMs: number; maxMs: number };

export const DEFAULT_BACKOFF: Backoff = { firstMs: 500, maxMs: 15_000 };

/** The wait before reconnect attempt `attempt` (0 for the first): between half and all of
 * `firstMs * 2^attempt`, capped at `maxMs`. `random` is in [0, 1). */
export function reconnectDelay(attempt: number, backoff: Backoff, random: () => number): number {
  const ceiling = Math.min(backoff.maxMs, backoff.firstMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
