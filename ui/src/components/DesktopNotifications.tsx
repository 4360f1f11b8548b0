// On the desktop: what its own notifications tell of, while the window is hidden or not in
// front (an archived session is always told).
import type { DesktopNotify } from "../gen/protocol";
import { KINDS, toggled } from "./notifyKinds";

type Props = {
  chosen: DesktopNotify;
  disabled: boolean;
  choose(kinds: DesktopNotify["kinds"]): void;
};

export function DesktopNotifications({ chosen, disabled, choose }: Props) {
  return (
    <section className="notify device" aria-label="Desktop notifications">
      <div>
        <strong>Notify me on this desktop</strong>
        {KINDS.map(({ kind, label }) => (
          <label key={kind}>
            <input
              type="checkbox"
              checked={chosen.kinds.includes(kind)}
              disabled={disabled}
              onChange={(event) => choose(toggled(chosen.kinds, kind, event.target.checked))}
            />
            {label}
          </label>
        ))}
      </div>
    </section>
  );
}
