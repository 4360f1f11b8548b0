// The paired devices: name, when each was last seen and from where, whether it is online;
// revoke one (its connections close at once). Pairing a new device starts on the computer.
import { useCallback, useEffect, useState } from "react";

import type { Device } from "../gen/protocol";
import type { Status, TetherClient } from "../protocol/client";

type Listed = Device & { online: boolean; connections: number };

export function DevicesScreen({ client, status }: { client: TetherClient; status: Status }) {
  const [devices, setDevices] = useState<Listed[]>([]);
  const [problem, setProblem] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setDevices(await client.request<Listed[]>("devices.list"));
      setProblem(null);
    } catch (error) {
      setProblem((error as { message: string }).message);
    }
  }, [client]);

  useEffect(() => {
    if (status === "connected") void load();
  }, [status, load]);

  async function revoke(device: Listed) {
    if (!confirm(`Unpair “${device.name}”? It will have to pair again.`)) return;
    try {
      await client.request("devices.revoke", { id: device.id });
      await load();
    } catch (error) {
      setProblem((error as { message: string }).message);
    }
  }

  return (
    <main className="devices">
      <h2>Devices</h2>
      {problem && <p className="error" role="alert">{problem}</p>}
      <ul>
        {devices.map((device) => (
          <li key={device.id} className="device">
            <div>
              <strong>{device.name}</strong>
              <span className={`badge ${device.online ? "badge-online" : ""}`}>{device.online ? "online" : "offline"}</span>
              <div className="hint">
                Last seen {device.last_seen ? new Date(device.last_seen * 1000).toLocaleString() : "never"}
                {device.last_address ? ` from ${device.last_address}` : ""}
              </div>
            </div>
            <button className="deny" onClick={() => void revoke(device)} aria-label={`Unpair ${device.name}`}>
              Unpair
            </button>
          </li>
        ))}
      </ul>
      <p className="hint">To pair another phone or tablet, run <code>tether pair</code> on your computer and scan its code.</p>
    </main>
  );
}
