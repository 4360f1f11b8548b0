// The desktop app's updating, through Tauri IPC: where it stands (and each change, as an
// event), and the user's three words: look for an update, download it, install it and restart.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";

/** Where updating stands, as the app's `UpdateStatus` reads. */
export type UpdateStatus = {
  /** The running version. */
  current: string;
  /** Whether the user asked (after the quiet check at start, only an update is worth showing). */
  asked: boolean;
} & (
  | { state: "idle" | "checking" | "up_to_date" }
  | { state: "unavailable"; reason: string }
  | { state: "available"; version: string; notes: string | null; date: string | null }
  | { state: "downloading"; version: string; received: number; total: number | null }
  | { state: "ready" | "installing"; version: string }
  | { state: "failed"; message: string }
);

export const updates = {
  check: () => invoke<void>("update_check"),
  download: () => invoke<void>("update_download"),
  install: () => invoke<void>("update_install"),
  /**
   * Calls `changed` with where updating stands, then with each change; returns how to stop.
   * It listens before it asks, so no change falls between the answer and the first event.
   */
  follow(changed: (status: UpdateStatus) => void): () => void {
    let live = true;
    let heard = false;
    const listening = listen<UpdateStatus>("tether://update", (event) => {
      heard = true;
      if (live) changed(event.payload);
    });
    void listening
      .then(() => invoke<UpdateStatus>("update_status"))
      // An event heard meanwhile is newer than this answer.
      .then((status) => live && !heard && changed(status))
      .catch((error: unknown) => console.warn(String(error)));
    return () => {
      live = false;
      void listening.then((unlisten) => unlisten());
    };
  },
};

/** Whether a step is under way (then no other may start). */
export function isBusy(status: UpdateStatus): boolean {
  return status.state === "checking" || status.state === "downloading" || status.state === "installing";
}
