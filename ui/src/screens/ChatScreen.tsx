// The chat: the session's state and controls on top, the conversation as it streams (tool
// calls as cards, edits as diffs), approvals waiting for an answer, and the composer. A
// terminal session (from Claude Code's history) shows the same way, read-only: followed live
// while a terminal writes it, forked from here then, and continued here once it is not.
import { Archive, ChevronLeft, FileDiff, MessageSquare } from "lucide-react";
import { Suspense, lazy, useCallback, useEffect, useMemo, useRef, useState } from "react";

import { useChat } from "../chat/hooks";
import { type Shortcut, useShortcuts } from "../chat/shortcuts";
import { markSeen } from "../chat/unread";
import { useQueuedPrompts } from "../chat/useQueuedPrompts";
import type { SuggestionSource } from "../chat/useSuggestions";
import { type Decision, ApprovalCard } from "../components/ApprovalCard";
import { Composer } from "../components/Composer";
import { AppLink } from "../layout/AppLink";
import { chatPath } from "../routes";
import { MentionProject } from "../components/MentionedText";
import { QueuedPrompts } from "../components/QueuedPrompts";
import { SessionControls } from "../components/SessionControls";
import { SessionTitle } from "../components/SessionTitle";
import { ShortcutsHelp } from "../components/ShortcutsHelp";
import { TodoList } from "../components/TodoList";
import { Transcript } from "../components/Transcript";
import { UsageSummary } from "../components/UsageSummary";
import type { Approval, ImageUpload } from "../gen/protocol";
import type { TetherClient } from "../protocol/client";
import type { Target } from "../chat/target";
import { TerminalBanner } from "../components/TerminalBanner";

/** The changes view loads when first shown. */
const ChangesView = lazy(() => import("../components/ChangesView").then((module) => ({ default: module.ChangesView })));

type Props = {
  client: TetherClient;
  sessionId: string;
  /** A message to show (from a search). */
  focus?: string;
  /** Shows the files the session changed instead of the conversation. */
  changes?: boolean;
  /** The session's project folder, for the changes' paths. */
  projectPath?: string;
  /** `sessionId` is a transcript's id. */
  terminal?: boolean;
  back(): void;
  /** Whether the header offers Back (no sidebar beside). */
  showBack: boolean;
  /** Goes to another session. */
  open(target: Target): void;
  /** The app's shortcuts, listed in the help with the chat's own. */
  globalShortcuts: Shortcut[];
};

export function ChatScreen({ client, sessionId, focus, changes = false, projectPath, terminal = false, back, showBack, open, globalShortcuts }: Props) {
  const chat = useChat(client, sessionId, terminal);
  const composer = useRef<HTMLTextAreaElement | null>(null);
  const [help, setHelp] = useState(false);
  const shown = chat.view?.session;
  useEffect(() => {
    if (shown && !terminal) markSeen(shown);
  }, [shown, terminal]);

  const [refused, setRefused] = useState<string | null>(null);
  const status = chat.view?.session.status;
  // A refusal is about the state it was made in.
  useEffect(() => setRefused(null), [status]);
  const interrupt = useCallback(() => {
    setRefused(null);
    client.request("messages.cancel", { session_id: sessionId }).catch((error: { message: string }) => setRefused(error.message));
  }, [client, sessionId]);
  const shortcuts: Shortcut[] = useMemo(
    () => [
      { key: "Escape", label: "Interrupt the answer", run: () => (help ? setHelp(false) : chat.canInterrupt && interrupt()) },
      { key: "/", label: "Write a message", run: () => composer.current?.focus() },
      { key: "ArrowLeft", alt: true, label: "Go back", run: back },
      { key: "?", label: "Show these shortcuts", run: () => setHelp(true) },
    ],
    [help, chat.canInterrupt, back, interrupt],
  );
  useShortcuts(shortcuts);

  const decide = async (approval: Approval, decision: Decision) => {
    const params = { session_id: sessionId, request_id: approval.request_id };
    if (decision === "deny") return client.request("tools.reject", params);
    const approved = await client.request("tools.approve", decision === "always" ? { ...params, always: true } : params);
    const left = approved.refused_rules;
    if (left.length > 0) {
      setRefused(`Allowed this once. “Always allow” left out what this device may not allow: ${left.map((rule) => rule.why).join("; ")}.`);
    }
    return approved;
  };

  const session = shown;
  const projectId = shown?.project_id;
  const suggest: SuggestionSource | null = useMemo(
    () =>
      terminal || !projectId
        ? null
        : {
            commands: () => client.request("commands.list", { session_id: sessionId }),
            files: (query) => client.request("files.search", { project_id: projectId, query, limit: 20 }).then((found) => found.entries),
          },
    [client, sessionId, projectId, terminal],
  );
  const archive = () => {
    if (!confirm("Archive this session? Its claude process stops; the conversation stays readable.")) return;
    client.request("sessions.archive", { session_id: sessionId }).catch((error: { message: string }) => setRefused(error.message));
  };
  const ended = session?.status === "ended";
  // A terminal session is running while a terminal writes it.
  const live = terminal && session?.status === "running";
  const carryOn = async (text: string, fork: boolean, images: ImageUpload[] = []) => {
    const continued = await client.request("terminal.continue", fork ? { id: sessionId, fork } : { id: sessionId });
    if (text || images.length > 0) await client.sendMessage(continued.id, text, images);
    open({ kind: "session", id: continued.id });
  };
  const queue = useQueuedPrompts(sessionId, terminal ? undefined : session?.status, chat.send);
  const send = terminal ? (text: string, images: ImageUpload[]) => carryOn(text, false, images) : queue.submit;
  const disabled = ended ? "This session is archived" : live ? "A terminal is writing this session: fork it to write here" : null;
  if (chat.missing) {
    return (
      <main className="chat" tabIndex={-1}>
        <section className="missing" role="alert" aria-label="Not found">
          <h2>{terminal ? "No Claude Code session here" : "No session here"}</h2>
          <p className="hint">It was deleted, or the link is wrong or from another computer.</p>
          <button className="primary" onClick={back}>Back to sessions</button>
        </section>
      </main>
    );
  }
  return (
    <main className="chat" tabIndex={-1}>
      <header className="chat-header">
        {showBack && (
          <button className="icon" onClick={back} aria-label="Back to sessions">
            <ChevronLeft size={20} aria-hidden="true" />
          </button>
        )}
        <span className={`badge badge-${session?.status ?? "starting"}`}>{session?.status.replace("_", " ") ?? "loading"}</span>
        {session && !terminal && (
          <SessionTitle
            title={session.title}
            disabled={ended || client.status !== "connected"}
            rename={(title) => client.request("sessions.rename", { session_id: sessionId, title })}
          />
        )}
        {session && <UsageSummary session={session} />}
        {chat.canInterrupt && !terminal && (
          <button className="interrupt" onClick={interrupt} aria-keyshortcuts="Escape">
            Interrupt
          </button>
        )}
        {session && !terminal && (
          <AppLink
            className="icon-link"
            href={changes ? chatPath({ kind: "session", id: sessionId }) : `${chatPath({ kind: "session", id: sessionId })}/changes`}
            aria-label={changes ? "Back to the conversation" : "Files changed"}
            title={changes ? "Conversation" : "Files changed"}
          >
            {changes ? <MessageSquare size={18} aria-hidden="true" /> : <FileDiff size={18} aria-hidden="true" />}
          </AppLink>
        )}
        {session && !terminal && !ended && (
          <button className="icon archive" onClick={archive} disabled={client.status !== "connected"} aria-label="Archive this session" title="Archive">
            <Archive size={18} aria-hidden="true" />
          </button>
        )}
      </header>
      {session && !terminal && <SessionControls client={client} session={session} disabled={ended || client.status !== "connected"} />}
      {terminal && <TerminalBanner live={live} transcript={chat.transcript} fork={() => carryOn("", true)} />}
      {session?.origin && (
        <p className="hint origin">
          {session.origin.fork ? "Forked from" : "Carried on from"} a Claude Code session.{" "}
          <button className="link" onClick={() => open({ kind: "terminal", id: session.origin!.transcript_id })}>Show its history</button>
        </p>
      )}
      {[chat.problem, refused, session?.last_error].filter(Boolean).map((problem) => (
        <p key={problem} className="error banner" role="alert">{problem}</p>
      ))}
      {chat.view && <TodoList todos={chat.view.todos} />}
      {chat.loadingEarlier && <p className="hint loading-earlier" role="status">Loading earlier messages…</p>}
      {changes && session ? (
        <Suspense fallback={<p className="hint loading" role="status">Loading…</p>}>
          <ChangesView client={client} sessionId={sessionId} projectId={session.project_id} projectPath={projectPath ?? ""} />
        </Suspense>
      ) : chat.view ? (
        <MentionProject.Provider value={terminal ? null : (projectId ?? null)}>
          <Transcript
            focus={focus}
            messages={chat.view.messages}
            loadEarlier={chat.loadEarlier && (() => void chat.loadEarlier?.().catch((error: { message: string }) => setRefused(`Earlier messages could not be loaded: ${error.message}`)))}
          />
        </MentionProject.Provider>
      ) : (
        <p className="hint loading" role="status">Loading the conversation…</p>
      )}
      {!terminal && chat.view?.approvals.map((approval) => (
        <ApprovalCard key={approval.request_id} approval={approval} decide={(decision) => decide(approval, decision)} />
      ))}
      {!terminal && <QueuedPrompts queue={queue} />}
      <Composer inputRef={composer} send={send} disabled={disabled} suggest={suggest} />
      {help && <ShortcutsHelp shortcuts={[...shortcuts, ...globalShortcuts]} close={() => setHelp(false)} />}
    </main>
  );
}

