// One session in a list: its name, its status, whether it moved since this device looked and
// whether it waits for an approval, then its model, cost and last activity. A link, so it
// opens in place, in a new tab, or from the keyboard.
import { Hand } from "lucide-react";

import { chatPath } from "../routes";
import { AppLink } from "./AppLink";
import { ago } from "../chat/time";
import { sessionName } from "../chat/useSessions";
import type { SessionInfo } from "../gen/protocol";

type Props = { session: SessionInfo; current: boolean; unread: boolean };

export function SessionRow({ session, current, unread }: Props) {
  const waiting = session.status === "awaiting_approval";
  return (
    <AppLink
      className={`session-link ${unread ? "unread" : ""}`}
      href={chatPath({ kind: "session", id: session.id })}
      aria-current={current ? "page" : undefined}
      data-session={session.id}
    >
      <span className={`status-dot status-${session.status}`} aria-hidden="true" />
      <span className="session-title">{sessionName(session)}</span>
      {waiting && (
        <span className="waiting" title="Waits for your approval">
          <Hand size={14} aria-hidden="true" />
          <span className="visually-hidden">, waits for your approval</span>
        </span>
      )}
      {unread && (
        <span className="unread-dot" title="New activity">
          <span className="visually-hidden">, new activity</span>
        </span>
      )}
      <span className="session-meta">
        <span className="visually-hidden">, </span>
        <span className="session-status">{session.status.replace("_", " ")}</span>
        {" · "}
        <span className="session-model">{session.model ?? "default model"}</span>
        {" · "}
        <span className="session-cost">${session.total_cost_usd.toFixed(2)}</span>
        {" · "}
        <time dateTime={new Date(session.last_active_at * 1000).toISOString()}>{ago(session.last_active_at)}</time>
      </span>
    </AppLink>
  );
}
