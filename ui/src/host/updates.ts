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
  status: () => invoke<UpdateStatus>("update_status"),
  check: () => invoke<void>("update_check"),
  download: () => invoke<void>("update_download"),
  install: () => invoke<void>("update_install"),
  /** Calls `changed` with each new status; returns how to stop. */
  onChange(changed: (status: UpdateStatus) => void): () => void {
    const stop = listen<UpdateStatus>("tether://update", (event) => changed(event.payload));
    return () => void stop.then((unlisten) => unlisten());
  },
};
