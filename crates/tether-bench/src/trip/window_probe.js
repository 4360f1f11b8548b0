// Run in the desktop window's page through WebDriver. The window keeps one link to the engine,
// its chat UI's: this notes, in `window.tetherTrip`, when each frame of that link arrives, by
// wrapping the page's IPC callbacks (Tauri keeps them in `__TAURI_INTERNALS__.callbacks`; the
// link's frames come through one of them), and then shows the session `arguments[0]`, so the
// chat subscribes to it. Only the first frame of each bench token (`tok…`) with the expected
// prefix counts, at its wall-clock time in whole ms (the clock the tap reads, truncated).
// Answers `null` once the chat has subscribed to the session, or why it cannot watch the link.
const [session, done] = arguments;
const trip = { prefix: null, expected: 0, arrived: {}, count: 0, waiting: null };
window.tetherTrip = trip;
let subscribed = false;
const note = (raw) => {
  const at = Date.now();
  const frame = raw?.message?.kind === "frame" ? raw.message.frame : null;
  if (!subscribed && frame?.startsWith('{"type":"subscribed"') && frame.includes(`"session:${session}"`)) {
    subscribed = true;
    done(null);
  }
  if (trip.prefix === null || !frame?.includes('"event":"part.delta"')) return;
  const token = /"text":"(tok[^"]*)"/.exec(frame)?.[1].trim();
  if (!token?.startsWith(trip.prefix) || token in trip.arrived) return;
  trip.arrived[token] = at;
  trip.count += 1;
  if (trip.count >= trip.expected && trip.waiting) trip.waiting(trip.arrived);
};
const callbacks = window.__TAURI_INTERNALS__.callbacks;
let wrapped = 0;
for (const [id, callback] of callbacks) {
  callbacks.set(id, (data) => {
    note(data);
    return callback(data);
  });
  wrapped += 1;
}
if (wrapped === 0) done("the page has no IPC callbacks to watch");
else location.hash = `#/session/${session}`;
