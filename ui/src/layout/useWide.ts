// Whether the window is wide enough for the sidebar beside the chat (a desktop, a tablet held
// sideways); narrower, one pane at a time.
import { useSyncExternalStore } from "react";

const QUERY = "(min-width: 900px)";

export function useWide(): boolean {
  return useSyncExternalStore(
    (changed) => {
      const media = matchMedia(QUERY);
      media.addEventListener("change", changed);
      return () => media.removeEventListener("change", changed);
    },
    () => matchMedia(QUERY).matches,
  );
}
