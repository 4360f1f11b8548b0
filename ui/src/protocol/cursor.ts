// Where a client stands in one channel: the epoch and the last offset it applied. Events are
// applied exactly once and in order; a replay after a reconnect repeats nothing.
import type { Position } from "../gen/protocol";

/** What to do with an arriving event. */
export type Verdict = "apply" | "duplicate" | "gap";

export class Cursor {
  position: Position | null = null;

  /** Judges the event at `offset`; advances when it is the next one. */
  accept(offset: number): Verdict {
    if (this.position === null) return "gap";
    if (offset <= this.position.offset) return "duplicate";
    if (offset !== this.position.offset + 1) return "gap";
    this.position = { ...this.position, offset };
    return "apply";
  }
}
