// The list of keyboard shortcuts, opened with "?".
import { type Shortcut, keyName } from "../chat/shortcuts";

export function ShortcutsHelp({ shortcuts, close }: { shortcuts: Shortcut[]; close(): void }) {
  return (
    <div className="overlay" onClick={close}>
      <section className="shortcuts" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" onClick={(event) => event.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <dl>
          <div>
            <dt><kbd>Enter</kbd></dt>
            <dd>Send the message (Shift+Enter for a new line)</dd>
          </div>
          {shortcuts.map((shortcut) => (
            <div key={keyName(shortcut)}>
              <dt><kbd>{keyName(shortcut)}</kbd></dt>
              <dd>{shortcut.label}</dd>
            </div>
          ))}
        </dl>
        <button onClick={close} autoFocus>Close</button>
      </section>
    </div>
  );
}
