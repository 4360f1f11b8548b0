// What a notification may tell of, as the Devices screen names each kind.
import type { NotifyKind } from "../gen/protocol";

export const KINDS: { kind: NotifyKind; label: string }[] = [
  { kind: "approval", label: "Claude waits for an approval" },
  { kind: "finished", label: "An answer is finished" },
  { kind: "failed", label: "A session fails or stalls" },
];

/** `chosen` with `kind` added or taken away. */
export function toggled(chosen: NotifyKind[], kind: NotifyKind, wanted: boolean): NotifyKind[] {
  return wanted ? [...chosen.filter((other) => other !== kind), kind] : chosen.filter((other) => other !== kind);
}
