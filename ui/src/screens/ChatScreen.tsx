// The chat: the session's state and controls on top, the conversation as it streams (tool
// calls as cards, edits as diffs), approvals waiting for an answer, and the composer. A
// terminal session (from Claude Code's history) shows the same way, read-only: followed live
// while a terminal writes it, forked from here then, and continued here once it is not.
import { Suspense, lazy, memo, useCallback, useEffect, useMemo, useRef, useState } from "react";

import { useChat } from "../chat/hooks";
import { type Shortcut, useShortcuts } from "../chat/shortcuts";
import { useStickToBottom } from "../chat/useStickToBottom";
import { type Decision, ApprovalCard } from "../components/ApprovalCard";
import { Composer } from "../components/Composer";
import { CopyButton } from "../components/CopyButton";
import { SessionControls } from "../components/SessionControls";
import { SessionTitle } from "../components/SessionTitle";
import { ShortcutsHelp } from "../components/ShortcutsHelp";
import { TodoList } from "../components/TodoList";
import { ToolCard } from "../components/ToolCard";
import { UsageSummary } from "../components/UsageSummary";
import type { Approval, Message, Part, Role } from "../gen/protocol";
import type { TetherClient } from "../protocol/client";
import type { Target } from "../chat/target";
import { TerminalBanner } from "../components/TerminalBanner";

/** `terminal`: `sessionId` is a transcript's id. `open` goes to another session. */
type Props = { client: TetherClient; sessionId: string; terminal?: boolean; back(): void; open(target: Target): void };

/** Markdown and its highlighter load with the first chat, not with the first page. */
const Markdown = lazy(() => import("../components/Markdown").then((module) => ({ default: module.Markdown })));

export function ChatScreen({ client, sessionId, terminal = false, back, open }: Props) {
  const chat = useChat(client, sessionId, terminal);
  const composer = useRef<HTMLTextAreaElement | null>(null);
  const [help, setHelp] = useState(false);
  useStickToBottom(chat.view);

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
      { key: "ArrowLeft", alt: true, label: "Back to the sessions", run: back },
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

  const session = chat.view?.session;
  const ended = session?.status === "ended";
  // A terminal session is running while a terminal writes it.
  const live = terminal && session?.status === "running";
  const carryOn = async (text: string, fork: boolean) => {
    const continued = await client.request("terminal.continue", fork ? { id: sessionId, fork } : { id: sessionId });
    if (text) await client.sendMessage(continued.id, text);
    open({ kind: "session", id: continued.id });
  };
  const send = terminal ? (text: string) => carryOn(text, false) : chat.send;
  const disabled = ended ? "This session is archived" : live ? "A terminal is writing this session: fork it to write here" : null;
  if (chat.missing) {
    return (
      <main className="chat">
        <section className="missing" role="alert" aria-label="Not found">
          <h2>{terminal ? "No Claude Code session here" : "No session here"}</h2>
          <p className="hint">It was deleted, or the link is wrong or from another computer.</p>
          <button className="primary" onClick={back}>Back to sessions</button>
        </section>
      </main>
    );
  }
  return (
    <main className="chat">
      <header className="chat-header">
        <button onClick={back} aria-label="Back to sessions">←</button>
        <span className={`badge badge-${session?.status ?? "starting"}`}>{session?.status.replace("_", " ") ?? "loading"}</span>
        {session && !terminal && (
          <SessionTitle
            title={session.title}
            disabled={client.status !== "connected"}
            rename={(title) => client.request("sessions.rename", { session_id: sessionId, title })}
          />
        )}
        {session && <UsageSummary session={session} />}
        {chat.canInterrupt && !terminal && (
          <button className="interrupt" onClick={interrupt} aria-keyshortcuts="Escape">
            Interrupt
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
      {chat.loadEarlier && (
        <button
          className="load-earlier"
          disabled={chat.loadingEarlier}
          onClick={() => chat.loadEarlier?.().catch((error: { message: string }) => setRefused(`Earlier messages could not be loaded: ${error.message}`))}
        >
          {chat.loadingEarlier ? "Loading…" : "Load earlier messages"}
        </button>
      )}
      <ol className="messages" aria-live="polite" aria-label="Conversation">
        {chat.view?.messages.map((message) => (
          <li key={message.id} className={`message message-${message.role}`}>
            {message.parts.map((part) => (
              <PartView key={part.id} part={part} role={message.role} />
            ))}
            {message.role === "assistant" && hasText(message) && <CopyButton text={textOf(message)} label="Copy answer" />}
          </li>
        ))}
      </ol>
      {!terminal && chat.view?.approvals.map((approval) => (
        <ApprovalCard key={approval.request_id} approval={approval} decide={(decision) => decide(approval, decision)} />
      ))}
      <Composer
        inputRef={composer}
        send={send}
        disabled={disabled}
      />
      {help && <ShortcutsHelp shortcuts={shortcuts} close={() => setHelp(false)} />}
    </main>
  );
}

/** A message's text parts, as one text. */
function textOf(message: Message): string {
  return message.parts.flatMap((part) => (part.kind === "text" ? [part.text] : [])).join("\n\n");
}

function hasText(message: Message): boolean {
  return message.parts.some((part) => part.kind === "text" && part.text.length > 0);
}

/** The image types a prompt may carry; anything else is not shown as an image. */
const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];

function Attachment({ mediaType, data }: { mediaType: string; data: string }) {
  if (!IMAGE_TYPES.includes(mediaType)) return <p className="hint">An attachment of type {mediaType}</p>;
  return <img className="attachment" src={`data:${mediaType};base64,${data}`} alt="An attached image" />;
}

/** A part re-renders only when it changed: a streamed token leaves the others as they were. */
const PartView = memo(function PartView({ part, role }: { part: Part; role: Role }) {
  if (part.kind === "tool_use") return <ToolCard name={part.name} input={part.input} result={part.result} />;
  if (part.kind === "thinking") {
    return (
      <details className="thinking">
        <summary>Thinking</summary>
        <p className="text">{part.text}</p>
      </details>
    );
  }
  if (part.kind === "image") return <Attachment mediaType={part.media_type} data={part.data} />;
  const plain = <p className="text">{part.text}</p>;
  if (role === "user") return plain;
  return (
    <Suspense fallback={plain}>
      <Markdown text={part.text} />
    </Suspense>
  );
});
