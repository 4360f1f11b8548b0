// The desktop app's updating status, kept current: read once, then each change the app reports.
import { useEffect, useState } from "react";

import { updates, type UpdateStatus } from "../host/updates";

export function useUpdates(): UpdateStatus | null {
  const [status, setStatus] = useState<UpdateStatus | null>(null);
  useEffect(() => {
    let live = true;
    const stop = updates.onChange((next) => live && setStatus(next));
    // An event that arrived first is newer than this answer.
    void updates.status().then((first) => live && setStatus((seen) => seen ?? first));
    return () => {
      live = false;
      stop();
    };
  }, []);
  return status;
}
