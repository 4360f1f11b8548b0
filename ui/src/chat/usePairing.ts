// Pairing a new device from this one: a code and its QR to show, the devices that present it
// waiting for a yes or no, and how it ended. Only the desktop may start pairing; elsewhere
// the engine refuses and `problem` says where to go instead.
import { useCallback, useRef, useState } from "react";

import type { PairingOffer, PairingOutcome, PairingRequest } from "../gen/protocol";
import type { ChannelEvent, TetherClient } from "../protocol/client";
import { accountEvent } from "../protocol/events";

export type Pairing = {
  offer: PairingOffer | null;
  waiting: PairingRequest[];
  /** What happened last, in words: paired, denied, the code burned… */
  outcome: string | null;
  problem: string | null;
  start(): Promise<void>;
  answer(request: PairingRequest, approve: boolean): Promise<void>;
  stop(): void;
  /** Takes in an event of `user:owner`. */
  handle(event: ChannelEvent): void;
};

const REFUSED =
  "New devices are paired from the computer running Tether: open the Tether app there (or run `tether pair`) and scan its code.";

export function usePairing(client: TetherClient): Pairing {
  const [offer, setOffer] = useState<PairingOffer | null>(null);
  const [waiting, setWaiting] = useState<PairingRequest[]>([]);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  // Only the client that started pairing may answer: others are not shown the requests.
  const pairing = useRef(false);

  const fail = (error: { code?: string; message: string }) => setProblem(error.code === "forbidden" ? REFUSED : error.message);

  const start = useCallback(async () => {
    setProblem(null);
    setOutcome(null);
    try {
      setOffer(await client.request("pairing.start"));
      pairing.current = true;
      setWaiting(await client.request("pairing.waiting"));
    } catch (error) {
      fail(error as { code?: string; message: string });
    }
  }, [client]);

  const answer = useCallback(
    async (request: PairingRequest, approve: boolean) => {
      setProblem(null);
      try {
        await client.request(approve ? "pairing.approve" : "pairing.deny", { request_id: request.id });
      } catch (error) {
        fail(error as { code?: string; message: string });
      }
      setWaiting((all) => all.filter((known) => known.id !== request.id));
    },
    [client],
  );

  const handle = useCallback((frame: ChannelEvent) => {
    const { event, data } = accountEvent(frame);
    switch (event) {
      case "pairing.requested": {
        if (!pairing.current) return;
        const request = data;
        setWaiting((all) => (all.some((known) => known.id === request.id) ? all : [...all, request]));
        return;
      }
      case "pairing.resolved": {
        if (!pairing.current) return;
        setWaiting((all) => all.filter((known) => known.id !== data.id));
        const name = data.device?.name;
        const words: Record<PairingOutcome, string> = {
          approved: `Paired “${name ?? "the device"}”.`,
          denied: "Denied.",
          withdrawn: "The device stopped waiting.",
          failed: "The device could not be saved; it was told to try again.",
        };
        setOutcome(words[data.outcome]);
        if (data.outcome === "approved") {
          setOffer(null);
          pairing.current = false;
        }
        return;
      }
      case "pairing.wrong_code": {
        if (!pairing.current) return;
        const from = where(data.address);
        const left = data.tries_left;
        setOutcome(
          left > 0
            ? `A wrong code was tried from ${from} (${left} more ${left === 1 ? "try" : "tries"} allowed from there).`
            : `${from} tried too many wrong codes and can no longer use this one.`,
        );
        return;
      }
      case "pairing.burned": {
        if (!pairing.current) return;
        pairing.current = false;
        setOffer(null);
        const from = where(data.address);
        setOutcome(`Too many wrong codes (the last from ${from}): that code no longer works. Start again for a new one.`);
        return;
      }
    }
  }, []);

  const stop = useCallback(() => {
    pairing.current = false;
    setOffer(null);
    setWaiting([]);
  }, []);

  return { offer, waiting, outcome, problem, start, answer, stop, handle };
}

/** The address an event names, in words: none is this computer (the local socket). */
const where = (address: unknown) => (typeof address === "string" ? address : "this computer");
