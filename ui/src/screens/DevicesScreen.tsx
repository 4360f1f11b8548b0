// The paired devices: name, when each was last seen and from where, whether it is online;
// revoke one (its connections close at once). Pairing a new device starts on the computer.
import { useFetched } from "../chat/useFetched";
import type { Device } from "../gen/protocol";
import type { Status, TetherClient } from "../protocol/client";

type Listed = Device & { online: boolean; connections: number };

const fetchDevices = (client: TetherClient) => client.request<Listed[]>("devices.list");

export function DevicesScreen({ client, status }: { client: TetherClient; status: Status }) {
  const { data: devices, problem, act } = useFetched<Listed[]>(client, status, [], fetchDevices);

  const revoke = (device: Listed) => {
    if (!confirm(`Unpair “${device.name}”? It will have to pair again.`)) return;
    void act(() => client.request("devices.revoke", { id: device.id }));
  };

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
            <button className="deny" onClick={() => revoke(device)} aria-label={`Unpair ${device.name}`}>
              Unpair
            </button>
          </li>
        ))}
      </ul>
      <p className="hint">To pair another phone or tablet, run <code>tether pair</code> on your computer and scan its code.</p>
    </main>
  );
}
