// The paired devices: name, when each was last seen and from where, whether it is online;
// unpair one (its connections close at once), and pair a new one from the desktop, which
// also switches how devices reach it here: LAN access and reaching Tether from anywhere.
import { useEffect } from "react";

import { useChannel } from "../chat/useChannel";
import { useFetched } from "../chat/useFetched";
import { usePairing } from "../chat/usePairing";
import { ago } from "../chat/time";
import { LanAccess } from "../components/LanAccess";
import { PairDevicePanel } from "../components/PairDevicePanel";
import { RemoteAccess } from "../components/RemoteAccess";
import type { LanStatus, ListedDevice, RemoteStatus } from "../gen/protocol";
import type { Status, TetherClient } from "../protocol/client";

const fetchDevices = (client: TetherClient) => client.request("devices.list");
const fetchLan = (client: TetherClient) => client.request("lan.status");
const fetchRemote = (client: TetherClient) => client.request("remote.status");

type Props = {
  client: TetherClient;
  status: Status;
  /** The desktop window, which also switches LAN access. */
  local?: boolean;
  /** Pairing was asked for (from the tray): start it, then say so with `pairingStarted`. */
  pairAsked?: boolean;
  pairingStarted?(): void;
};

export function DevicesScreen({ client, status, local = false, pairAsked = false, pairingStarted }: Props) {
  const { data: devices, problem, act, reload } = useFetched<ListedDevice[]>(client, status, [], fetchDevices);
  const pairing = usePairing(client);
  const { start } = pairing;
  useEffect(() => {
    if (!pairAsked || status !== "connected") return;
    pairingStarted?.();
    void start();
  }, [pairAsked, status, start, pairingStarted]);
  const lan = useFetched<LanStatus | null>(client, local ? status : "offline", null, fetchLan);
  const remote = useFetched<RemoteStatus | null>(client, local ? status : "offline", null, fetchRemote);
  useChannel(client, "user:owner", (event) => {
    if (event === null || event.event.startsWith("device.")) void reload();
    if (local && (event === null || event.event === "lan.updated")) void lan.reload();
    if (local && (event === null || event.event === "remote.updated")) void remote.reload();
    if (event !== null) pairing.handle(event);
  });

  const revoke = (device: ListedDevice) => {
    if (!confirm(`Unpair “${device.name}”? It will have to pair again.`)) return;
    void act(() => client.request("devices.revoke", { id: device.id }));
  };

  return (
    <main className="devices" tabIndex={-1}>
      <h1>Devices</h1>
      {problem && <p className="error" role="alert">{problem}</p>}
      {devices.length === 0 && status === "connected" && <p className="hint">No phone or tablet is paired yet.</p>}
      <ul>
        {devices.map((device) => (
          <li key={device.id} className="device">
            <div>
              <strong>{device.name}</strong>
              {device.machine && <span className="badge">machine</span>}
              <span className={`badge ${device.online ? "badge-online" : ""}`}>{device.online ? "online" : "offline"}</span>
              <div className="hint">
                {device.last_seen ? `Last seen ${ago(device.last_seen)}` : "Never seen"}
                {device.last_address ? ` from ${device.last_address}` : ""} · paired {ago(device.paired_at)}
              </div>
            </div>
            <button className="deny" onClick={() => revoke(device)} aria-label={`Unpair ${device.name}`}>
              Unpair
            </button>
          </li>
        ))}
      </ul>
      {lan.data && (
        <LanAccess
          lan={lan.data}
          disabled={status !== "connected"}
          toggle={() => void lan.act(() => client.request(lan.data?.enabled ? "lan.disable" : "lan.enable"))}
          rotate={() => void lan.act(() => client.request("lan.rotate_certificate"))}
        />
      )}
      {lan.problem && <p className="error" role="alert">{lan.problem}</p>}
      {remote.data && (
        <RemoteAccess
          remote={remote.data}
          disabled={status !== "connected"}
          set={(url) => void remote.act(() => client.request("remote.set", { public_url: url }))}
          tailscale={(enabled) => void remote.act(() => client.request("remote.tailscale", { enabled }))}
        />
      )}
      {remote.problem && <p className="error" role="alert">{remote.problem}</p>}
      <PairDevicePanel pairing={pairing} offline={status !== "connected"} />
    </main>
  );
}
