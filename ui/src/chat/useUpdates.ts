// The desktop app's updating status, kept current: where it stands, then each change the app
// reports.
import { useEffect, useState } from "react";

import { updates, type UpdateStatus } from "../host/updates";

export function useUpdates(): UpdateStatus | null {
  const [status, setStatus] = useState<UpdateStatus | null>(null);
  useEffect(() => updates.follow(setStatus), []);
  return status;
}
