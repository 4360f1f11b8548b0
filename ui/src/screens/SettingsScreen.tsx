// Settings: what Tether tells you and how (the desktop's own notifications, or this device's
// push), and starting with the computer.
import { DesktopNotifications } from "../components/DesktopNotifications";
import { NotifyMe } from "../components/NotifyMe";
import { StartAtLogin } from "../components/StartAtLogin";
import { useFetched } from "../chat/useFetched";
import type { DesktopNotify } from "../gen/protocol";
import type { Status, TetherClient } from "../protocol/client";

const fetchDesktopNotify = (client: TetherClient) => client.request("push.desktop");

/** `local`: the desktop window, which sets the desktop's own notifications and start-up. */
export function SettingsScreen({ client, status, local }: { client: TetherClient; status: Status; local: boolean }) {
  const notify = useFetched<DesktopNotify | null>(client, local ? status : "offline", null, fetchDesktopNotify);
  return (
    <main className="settings" tabIndex={-1}>
      <h1>Settings</h1>
      {notify.data && (
        <DesktopNotifications
          chosen={notify.data}
          disabled={status !== "connected"}
          choose={(kinds) => void notify.act(() => client.request("push.desktop_set", { kinds }))}
        />
      )}
      {notify.problem && <p className="error" role="alert">{notify.problem}</p>}
      {!local && <NotifyMe client={client} connected={status === "connected"} />}
      {local && <StartAtLogin />}
    </main>
  );
}
