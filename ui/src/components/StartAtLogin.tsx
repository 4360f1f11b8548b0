// On the desktop: start Tether at login, in the tray, so a phone finds it running.
import { useEffect, useState } from "react";

import { setStartAtLogin, startAtLogin } from "../host/desktop";

export function StartAtLogin() {
  const [enabled, setEnabled] = useState<boolean | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    startAtLogin().then(setEnabled, (error: unknown) => setProblem(String(error)));
  }, []);
  const change = (wanted: boolean) => {
    setStartAtLogin(wanted).then(
      (now) => {
        setEnabled(now);
        setProblem(null);
      },
      (error: unknown) => setProblem(String(error)),
    );
  };
  return (
    <section className="login device" aria-label="Start at login">
      <div>
        <label>
          <input type="checkbox" checked={enabled ?? false} disabled={enabled === null} onChange={(event) => change(event.target.checked)} />
          Start Tether at login, in the tray, so your phones find it running
        </label>
        {problem && <p className="error" role="alert">{problem}</p>}
      </div>
    </section>
  );
}
